using KernelFarm.Actors.Execution;
using KernelFarm.Tests.Execution;
using Xunit;

namespace KernelFarm.Tests.Series;

/// <summary>A series job's script: its syntax for each shape (real bash -n) and the diagnostics keeper run for real.</summary>
public sealed class SeriesScriptTests : IDisposable
{
    private readonly TempDir _dir = new("kfarm-series-");

    public void Dispose() => _dir.Dispose();

    private static BuildPlan Plan(SeriesPlan series, bool boot = false)
    {
        var plan = BuildScriptTests.Plan() with
        {
            Series = series,
            GitMirror = "/srv/cache/git/linux-0123.git",
            CcacheDirectory = "/srv/cache/ccache/me",
        };
        return boot ? plan with { Boot = BuildScriptTests.Arch("x86_64").Boot } : plan;
    }

    public static TheoryData<string> Shapes() => ["mbox", "range", "continue", "boot", "tree", "step-artifacts"];

    private static BuildPlan Shape(string name) => name switch
    {
        "mbox" => Plan(new SeriesPlan(false, null)),
        "range" => Plan(new SeriesPlan(false, new SeriesPlan.CommitRange(new string('a', 40), new string('b', 40)))),
        "continue" => Plan(new SeriesPlan(true, null)),
        "boot" => Plan(new SeriesPlan(false, null), boot: true),
        "tree" => Plan(new SeriesPlan(false, null, "/srv/cache/trees/0123456789abcdef01234567")),
        "step-artifacts" => Plan(new SeriesPlan(false, null, null, StepArtifacts: true)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_script_is_valid_bash(string shape)
    {
        var script = BuildScript.Generate(Shape(shape));
        var file = _dir.Combine("run.sh");
        File.WriteAllText(file, script);
        var r = LocalShell.Run(LocalShell.Bash, ["-n", file]);
        Assert.True(r.ExitCode == 0, $"bash -n: {r.Stderr}");
    }

    [Fact]
    public void Every_compile_goes_through_the_diagnostics_keeper_before_ccache()
    {
        var script = BuildScript.Generate(Shape("mbox"));
        Assert.Contains($"\"CC=$KFARM_WS/{SeriesScript.CompilerWrapper} ${{KFARM_CCACHE}}\"'gcc'", script);
        Assert.Contains("export KBUILD_BUILD_VERSION=1", script);
        // the single build's script has none of it
        Assert.DoesNotContain(SeriesScript.CompilerWrapper, BuildScript.Generate(BuildScriptTests.Plan()));
    }

    [Fact]
    public void A_range_is_made_into_patches_from_the_mirror_and_a_failed_build_stops_the_series_unless_asked()
    {
        var range = BuildScript.Generate(Shape("range"));
        Assert.Contains($"format-patch -q --stdout --no-signature '{new string('a', 40)}'..'{new string('b', 40)}' > series.mbox", range);
        Assert.Contains("kfarm_series_step \"$i\" || KFARM_SERIES_STOP=1", BuildScript.Generate(Shape("mbox")));
        Assert.DoesNotContain("KFARM_SERIES_STOP=1\n", BuildScript.Generate(Shape("continue")).Replace("{ KFARM_SERIES_STOP=1; continue; }", ""));
    }

    [Fact]
    public void A_series_takes_the_tree_its_kind_left_and_the_agent_runs_no_git_in_it()
    {
        var script = BuildScript.Generate(Shape("tree"));
        Assert.Contains("mv -T \"$KFARM_TREE\" warm", script);
        Assert.Contains("[ -n \"$KFARM_WARM\" ] || run git -C source reset -q --hard", script);
        Assert.DoesNotContain("git -C source log", script);                   // the facts come from the mirror
        Assert.Contains("git -C \"$KFARM_MIRROR\" log -1 --format='%H %ct %cI' \"$KFARM_REV\"", script);
        Assert.Contains("mv source build \"$KFARM_TREE.new.$$/\"", script);   // kept when the last step built
        var keep = script.IndexOf("mv source build", StringComparison.Ordinal);
        Assert.True(keep > script.IndexOf("mv manifest.tsv.tmp manifest.tsv", StringComparison.Ordinal), "the tree is kept only after the manifest");
    }

    [Fact]
    public void Each_step_boots_when_the_boot_test_is_on()
    {
        var script = BuildScript.Generate(Shape("boot"));
        Assert.Contains("kfarm_boot", script);
        Assert.Contains("\"$1/boot\"", script);
        Assert.DoesNotContain("step booting", script);   // the job's boot result is the last step's
    }

    [Fact]
    public void The_keeper_stores_a_compiles_stderr_beside_its_object_and_passes_the_exit_code_on()
    {
        var wrapper = _dir.Combine("kfarm-diag-cc");
        File.WriteAllText(wrapper, SeriesScript.WrapperSource);
        var compiler = _dir.Combine("cc");
        File.WriteAllText(compiler, "#!/bin/bash\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && o=$2; shift; done\necho \"x.c:1:2: warning: $WARN\" >&2\n: > \"$o\"\nexit ${RC:-0}\n");
        LocalShell.BashC($"chmod +x {wrapper} {compiler}");

        var warned = LocalShell.BashC($"cd {_dir.Path} && WARN=w1 ./kfarm-diag-cc ./cc -c -o a.o x.c");
        Assert.Equal(0, warned.ExitCode);
        Assert.Contains("warning: w1", warned.Stderr);                    // still printed for the log
        Assert.Equal("x.c:1:2: warning: w1\n", File.ReadAllText(_dir.Combine("a.o.kfdiag")));

        var failed = LocalShell.BashC($"cd {_dir.Path} && WARN=w2 RC=3 ./kfarm-diag-cc ./cc -c -o a.o x.c");
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("w2", File.ReadAllText(_dir.Combine("a.o.kfdiag")));

        File.WriteAllText(compiler, "#!/bin/bash\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && o=$2; shift; done\n: > \"$o\"\n");
        Assert.Equal(0, LocalShell.BashC($"cd {_dir.Path} && ./kfarm-diag-cc ./cc -c -o a.o x.c").ExitCode);
        Assert.False(File.Exists(_dir.Combine("a.o.kfdiag")), "a clean compile leaves no diagnostics file");
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public void The_keeper_leaves_compiles_without_an_object_alone()
    {
        var wrapper = _dir.Combine("kfarm-diag-cc");
        File.WriteAllText(wrapper, SeriesScript.WrapperSource);
        LocalShell.BashC($"chmod +x {wrapper}");
        var version = LocalShell.BashC($"cd {_dir.Path} && ./kfarm-diag-cc bash -c 'echo version; echo probe >&2' && ./kfarm-diag-cc bash -c 'exit 0' -o /dev/null");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal("version\n", version.StdoutText);
        Assert.Contains("probe", version.Stderr);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.kfdiag"));
    }
}
