using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>The generated build script: its text, its syntax (real bash -n) and how the plan shapes it.</summary>
public sealed class BuildScriptTests : IDisposable
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private readonly TempDir _dir = new("kfarm-script-");

    public void Dispose() => _dir.Dispose();

    internal static ArchitectureProfile Arch(string name) =>
        ArchitectureCatalog.Default.TryGet(name, out var p) ? p : throw new InvalidOperationException($"no profile {name}");

    internal static BuildPlan Plan(string arch = "x86_64") => new()
    {
        JobId = "job-1",
        Workspace = "/srv/builds/job-1",
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        CommitHash = "HEAD",
        Architecture = Arch(arch),
        Jobs = 8,
    };

    private static string[] Lines(string script) => script.Split('\n');

    /// <summary>The lines that run make (through the M array).</summary>
    private static string[] MakeLines(string script) =>
        Lines(script).Select(l => l.Trim()).Where(l => l.StartsWith("srun \"${KFARM_MAKE[@]}\"", StringComparison.Ordinal)).ToArray();

    private void AssertBashSyntaxOk(string script)
    {
        var file = _dir.Combine(BuildScript.ScriptName);
        File.WriteAllText(file, script);
        var r = LocalShell.Run(LocalShell.Bash, ["-n", file]);
        Assert.True(r.ExitCode == 0, $"bash -n failed ({r.ExitCode}): {r.Stderr}\n{script}");
    }

    public static TheoryData<string> SyntaxVariants() =>
    [
        "default", "fragments", "fragment-files-only", "custom-env", "extra-args", "extra-j", "sha", "sha-depth0",
        "head-depth0", "submodules", "submodules-depth0", "config-path", "arm64-cross", "arm64-clang",
        "no-modules", "custom-patterns", "everything",
    ];

    private static BuildPlan Variant(string name)
    {
        var p = Plan();
        var arm = Plan("arm64") with { CrossCompile = "aarch64-linux-gnu-" };
        return name switch
        {
            "default" => p,
            "fragments" => p with { KconfigFragments = ["CONFIG_DEBUG_INFO=y", "# CONFIG_WERROR is not set", "CONFIG_CMDLINE=\"console=ttyS0 $(x)\"", "kernel/configs/kvm_guest.config"] },
            "fragment-files-only" => p with { KconfigFragments = ["kernel/configs/kvm_guest.config", "arch/x86/configs/xen.config"] },
            "custom-env" => p with { CustomEnv = Env() },
            "extra-args" => p with { ExtraMakeArgs = ["W=1", "KCFLAGS=-O2 -pipe '$(x)'", "V=1"] },
            "extra-j" => p with { ExtraMakeArgs = ["-j3", "W=1"] },
            "sha" => p with { CommitHash = Sha },
            "sha-depth0" => p with { CommitHash = Sha, GitDepth = 0 },
            "head-depth0" => p with { GitDepth = 0 },
            "submodules" => p with { GitSubmodules = true },
            "submodules-depth0" => p with { GitSubmodules = true, GitDepth = 0 },
            "config-path" => p with { KernelConfig = "arch/x86/configs/x86_64_defconfig" },
            "arm64-cross" => arm,
            "arm64-clang" => arm with { CrossCompile = "", Toolchain = "clang" },
            "no-modules" => p with { EnableModules = false },
            "custom-patterns" => p with { ArtifactPatterns = ["arch/*/boot/bzImage", "*.ko", "Module.symvers", "include/generated/?tsrelease.h"] },
            "everything" => arm with
            {
                CommitHash = Sha, GitDepth = 0, GitSubmodules = true, Toolchain = "clang-14", KernelConfig = "arch/arm64/configs/defconfig",
                KconfigFragments = ["CONFIG_X=y", "kernel/configs/debug.config"], ExtraMakeArgs = ["W=1", "-k"], CustomEnv = Env(),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static Dictionary<string, string> Env() => new()
    {
        ["KCFLAGS"] = "-O2 -Wno-error; touch /tmp/kfarm-pwned",
        ["QUOTES"] = "it's \"quoted\"",
        ["SUBST"] = "$(id) `id` ${HOME}",
        ["NEWLINE"] = "line1\nline2",
        ["BACKSLASH"] = "C:\\dir\\",
        ["EMPTY"] = "",
    };

    [Theory]
    [MemberData(nameof(SyntaxVariants))]
    public void Generated_script_passes_bash_syntax_check(string variant)
    {
        var script = BuildScript.Generate(Variant(variant));
        Assert.StartsWith("#!/bin/bash\n", script);
        AssertBashSyntaxOk(script);
    }

    [Fact]
    public void Custom_env_values_appear_only_single_quoted()
    {
        var env = Env();
        var script = BuildScript.Environment(Plan() with { CustomEnv = env });
        foreach (var value in env.Values.Where(v => v.Length >= 4)) Assert.DoesNotContain(value, BuildScript.Generate(Plan() with { CustomEnv = env }));

        foreach (var (key, value) in env)
        {
            var line = $"export {key}={ShellQuote.Quote(value)}";
            Assert.Contains(line + "\n", script);
            Assert.Single(Regex.Matches(script, Regex.Escape($"export {key}=")));
        }

        // With the quoted forms removed, none of the hostile payloads is left anywhere in the script.
        var rest = env.Values.Aggregate(script, (s, v) => s.Replace(ShellQuote.Quote(v), "", StringComparison.Ordinal));
        foreach (var payload in new[] { "touch /tmp/kfarm-pwned", "$(id)", "`id`", "it's", "line1", "C:\\dir" })
            Assert.DoesNotContain(payload, rest);
    }

    [Fact]
    public void Custom_env_exports_give_the_exact_values_in_bash()
    {
        var env = Env();
        var script = BuildScript.Environment(Plan() with { CustomEnv = env });
        var exports = string.Join('\n', env.Keys.Select(k =>
        {
            var start = script.IndexOf($"export {k}=", StringComparison.Ordinal);
            // A value may span lines (it holds a newline): take exactly the export statement's length.
            var quoted = ShellQuote.Quote(env[k]);
            return script.Substring(start, $"export {k}=".Length + quoted.Length);
        }));

        foreach (var (key, value) in env)
        {
            var r = LocalShell.BashC(exports + $"\nprintf %s \"${key}\"");
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(value, r.StdoutText);
        }
        Assert.False(File.Exists("/tmp/kfarm-pwned"));
    }

    [Fact]
    public void Custom_env_is_exported_in_ordinal_key_order_before_the_first_step()
    {
        var plan = Plan() with { CustomEnv = new Dictionary<string, string> { ["b"] = "1", ["B"] = "2", ["A_1"] = "3" } };
        var environment = BuildScript.Environment(plan);
        var positions = new[] { "export A_1=", "export B=", "export b=" }.Select(k => environment.IndexOf(k, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        // read (and deleted) before the first step
        var script = BuildScript.Generate(plan);
        var read = script.IndexOf($". ./{BuildScript.EnvironmentFile}; rm -f {BuildScript.EnvironmentFile}", StringComparison.Ordinal);
        Assert.InRange(read, 0, script.IndexOf("step preparing", StringComparison.Ordinal));
    }

    [Fact]
    public void Jobs_flag_is_added_to_every_building_make_call_when_no_extra_arg_sets_it()
    {
        var script = BuildScript.Generate(Plan("arm64") with { Jobs = 12, ExtraMakeArgs = ["W=1"], BuildDtbs = true });
        var builds = MakeLines(script).Where(l => l.EndsWith(" Image.gz", StringComparison.Ordinal) || l.EndsWith(" modules", StringComparison.Ordinal) || l.EndsWith(" dtbs", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, builds.Count);
        Assert.All(builds, l => Assert.StartsWith("srun \"${KFARM_MAKE[@]}\" -j12 'W=1' ", l));
        Assert.DoesNotContain("-j12", string.Join('\n', MakeLines(script).Where(l => l.Contains("defconfig") || l.Contains("modules_install"))));
    }

    [Theory]
    [InlineData("-j4")]
    [InlineData("-j")]
    [InlineData("-j128")]
    public void An_extra_arg_starting_with_dash_j_replaces_the_jobs_flag(string jArg)
    {
        var script = BuildScript.Generate(Plan() with { Jobs = 8, ExtraMakeArgs = ["V=1", jArg] });

        Assert.DoesNotContain("-j8", script);
        Assert.Contains($"srun \"${{KFARM_MAKE[@]}}\" 'V=1' {ShellQuote.Quote(jArg)} bzImage\n", script);
    }

    [Fact]
    public void Extra_make_args_are_single_quoted_words()
    {
        var script = BuildScript.Generate(Plan() with { Jobs = 2, ExtraMakeArgs = ["KCFLAGS=-O2 -pipe", "W=1"], EnableModules = false });
        Assert.Contains("srun \"${KFARM_MAKE[@]}\" -j2 'KCFLAGS=-O2 -pipe' 'W=1' bzImage\n", script);
    }

    [Fact]
    public void Cross_compile_appears_only_for_cross_toolchains()
    {
        var cross = BuildScript.Generate(Plan("arm64") with { CrossCompile = "aarch64-linux-gnu-" });
        var native = BuildScript.Generate(Plan("arm64"));
        var x86 = BuildScript.Generate(Plan());

        Assert.Contains("KFARM_MAKE=(make -C source O=\"$KFARM_WS/build\" ARCH=arm64 CROSS_COMPILE='aarch64-linux-gnu-')\n", cross);
        Assert.DoesNotContain("CROSS_COMPILE", native);
        Assert.DoesNotContain("CROSS_COMPILE", x86);
        Assert.Contains("KFARM_MAKE=(make -C source O=\"$KFARM_WS/build\" ARCH=x86_64)\n", x86);
    }

    [Theory]
    [InlineData("clang-17", "", " LLVM='-17'", "'clang-17'")]
    [InlineData("clang", "", " LLVM=1", "'clang'")]
    [InlineData("llvm-18", "", " LLVM='-18'", "'clang-18'")]
    [InlineData("clang-14", "aarch64-linux-gnu-", " CROSS_COMPILE='aarch64-linux-gnu-' LLVM='-14'", "'clang-14'")]
    [InlineData("gcc-12", "", " 'CC=gcc-12'", "'gcc-12'")]
    [InlineData("gcc-12", "aarch64-linux-gnu-", " CROSS_COMPILE='aarch64-linux-gnu-' 'CC=aarch64-linux-gnu-gcc-12'", "'aarch64-linux-gnu-gcc-12'")]
    [InlineData("gcc", "", "", "'gcc'")]
    public void The_toolchain_name_sets_the_compiler_kbuild_runs(string toolchain, string cross, string variables, string compiler)
    {
        var plan = BuildPlan.From("job-7", Request("x86_64"), PlacementWith(new Toolchain(toolchain, ["x86_64"], cross)), "/w/job-7", ArchitectureCatalog.Default)
            with { CcacheDirectory = null };
        var script = BuildScript.Generate(plan);

        Assert.Equal(toolchain.StartsWith("clang", StringComparison.Ordinal) || toolchain.StartsWith("llvm", StringComparison.Ordinal), plan.Llvm);
        var make = Lines(script).Single(l => l.StartsWith("KFARM_MAKE=(", StringComparison.Ordinal));
        Assert.Equal("KFARM_MAKE=(make -C source O=\"$KFARM_WS/build\" ARCH=x86_64" + variables + ")", make);
        // asked in the sandbox check's own sandbox, told as the configuring step's fact
        Assert.Contains(ShellQuote.Quote($"echo kfarm-sandbox-started; {compiler} --version 2>/dev/null | head -n 1"), script);
        Assert.Contains("fact compiler \"${kfarm_probe%%[[:cntrl:]]*}\"", script);
        Assert.Contains(Lines(Reproducer.Generate(plan, null, [])), l => l == "MAKE_CMD=(make -C source O=\"$WS/build\" ARCH=x86_64" + variables + ")");
    }

    [Fact]
    public void The_reproducer_of_a_container_build_says_which_image_to_run_it_in()
    {
        var plan = Plan() with
        {
            Container = new ContainerSpec { Runtime = "podman", Image = "localhost/kernelfarm-builder:bookworm", JobId = "job-7", Workspace = "/w/job-7" },
        };
        var lines = Lines(Reproducer.Generate(plan, null, []));
        Assert.Contains("#   podman run --rm -it --network=host -v \"$PWD:$PWD\" -w \"$PWD\" 'localhost/kernelfarm-builder:bookworm' bash reproducer.sh", lines);
        Assert.DoesNotContain("podman", Reproducer.Generate(Plan(), null, []), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gcc", "", "'gcc'")]
    [InlineData("gcc-12", "aarch64-linux-gnu-", "'aarch64-linux-gnu-gcc-12'")]
    [InlineData("clang-14", "", "'clang-14'")]
    public void With_ccache_cc_is_always_set_to_the_wrapper_and_the_compiler_kbuild_would_run(string toolchain, string cross, string compiler)
    {
        var plan = BuildPlan.From("job-7", Request("x86_64"), PlacementWith(new Toolchain(toolchain, ["x86_64"], cross)), "/w/job-7", ArchitectureCatalog.Default);
        Assert.Equal("/tmp/builds/.kfarm-cache/ccache/" + BuildPlan.CacheOwner(null), plan.CcacheDirectory);
        var make = Lines(BuildScript.Generate(plan)).Single(l => l.StartsWith("KFARM_MAKE=(", StringComparison.Ordinal));
        Assert.EndsWith(" \"CC=${KFARM_CCACHE}\"" + compiler + "\"${KFARM_CCACHE_FLAGS}\")", make);
        Assert.Single(make.Split(' '), w => w.Contains("CC=", StringComparison.Ordinal) && !w.Contains("CROSS", StringComparison.Ordinal));
        // the reproducer builds without ccache: the same objects, no cache needed
        Assert.DoesNotContain("CCACHE", Reproducer.Generate(plan, null, []), StringComparison.Ordinal);
        var optedOut = BuildPlan.From("job-7", Request("x86_64") with { BuildConfig = new BuildConfig { Ccache = false } },
            PlacementWith(new Toolchain(toolchain, ["x86_64"], cross)), "/w/job-7", ArchitectureCatalog.Default);
        Assert.Null(optedOut.CcacheDirectory);
        Assert.DoesNotContain("ccache", BuildScript.Generate(optedOut), StringComparison.Ordinal);
    }

    [Fact]
    public void Versioned_llvm_names_select_kbuilds_version_suffix_so_clang_14_needs_no_unversioned_links()
    {
        // kbuild (Linux 5.18+): LLVM=-14 runs clang-14, ld.lld-14, llvm-ar-14, llvm-nm-14, …
        Assert.Equal(["LLVM='-14'"], ToolchainMake.Variables("clang-14", ""));
        Assert.Equal("-14", ToolchainMake.VersionSuffix("clang-14"));
        Assert.Equal("", ToolchainMake.VersionSuffix("gcc"));
        Assert.Empty(ToolchainMake.Variables("gcc", ""));
    }

    [Theory]
    [InlineData("arm64", true, true)]
    [InlineData("arm64", false, false)]
    [InlineData("x86_64", true, false)]
    [InlineData("x86_64", false, false)]
    public void Dtbs_are_built_only_for_dtb_architectures_when_asked(string arch, bool buildDtbs, bool expected)
    {
        var request = Request(arch) with { BuildConfig = new BuildConfig { BuildDtbs = buildDtbs } };
        var plan = BuildPlan.From("job-7", request, PlacementWith(new Toolchain("gcc-12", [arch])), "/w/job-7", ArchitectureCatalog.Default);
        var script = BuildScript.Generate(plan);

        Assert.Equal(expected, plan.BuildDtbs);
        Assert.Equal(expected, MakeLines(script).Any(l => l.EndsWith(" dtbs", StringComparison.Ordinal)));
    }

    [Fact]
    public void Modules_are_built_and_installed_only_inside_the_config_modules_guard()
    {
        var lines = Lines(BuildScript.Generate(Plan() with { Jobs = 4 }));
        // the kernel target's sandbox (after the image is built) tells whether the config has modules
        var check = Array.FindIndex(lines, l => l.StartsWith("kfarm_size=$(kfarm_sb bash -c ", StringComparison.Ordinal));
        Assert.Contains("grep -q '\\''^CONFIG_MODULES=y'\\'' build/.config && echo M || echo N", lines[check]);
        var guard = Array.IndexOf(lines, "if [ \"$kfarm_modules\" = M ]; then");
        Assert.True(check > 0 && guard > check, "no CONFIG_MODULES guard after the check");
        Assert.True(guard > 0, "no CONFIG_MODULES guard");
        var fi = Array.IndexOf(lines, "fi", guard);
        var els = Array.IndexOf(lines, "else", guard);
        Assert.True(guard < els && els < fi);

        var modules = Array.FindIndex(lines, l => l.Contains("\" -j4 modules", StringComparison.Ordinal));
        var install = Array.FindIndex(lines, l => l.Contains("modules_install", StringComparison.Ordinal));
        Assert.InRange(modules, guard + 1, els - 1);
        Assert.InRange(install, modules + 1, els - 1);
        Assert.Contains("INSTALL_MOD_PATH=\"$KFARM_WS/artifacts/modules\"", lines[install]);
        Assert.Contains("skipped", lines[els + 1]);
    }

    [Fact]
    public void Modules_are_installed_only_when_the_patterns_ask_for_modules()
    {
        var script = BuildScript.Generate(Plan() with { Jobs = 4, ArtifactPatterns = ["vmlinux", "arch/*/boot/bzImage"] });
        Assert.Contains("  srun \"${KFARM_MAKE[@]}\" -j4 modules\n", script);
        Assert.DoesNotContain(MakeLines(script), l => l.Contains("modules_install", StringComparison.Ordinal));
        Assert.Contains(MakeLines(BuildScript.Generate(Plan() with { ArtifactPatterns = ["drivers/*.ko"] })),
            l => l.Contains("modules_install", StringComparison.Ordinal));
    }

    [Fact]
    public void Disabled_modules_leave_no_modules_step()
    {
        var script = BuildScript.Generate(Plan() with { EnableModules = false });
        Assert.DoesNotContain("CONFIG_MODULES", script);
        Assert.DoesNotContain(MakeLines(script), l => l.Contains("modules", StringComparison.Ordinal));
    }

    [Fact]
    public void Head_clones_the_branch_tip_without_a_fetch()
    {
        var script = BuildScript.Generate(Plan() with { Branch = "linux-6.1.y", GitDepth = 1 });
        Assert.Contains("run git clone --no-tags --branch 'linux-6.1.y' --depth 1 -- 'https://git.example.org/linux.git' source\n", script);
        Assert.DoesNotContain("fetch", script);
        Assert.DoesNotContain("checkout", script);
    }

    [Fact]
    public void A_commit_sha_is_checked_out_and_fetched_at_the_same_depth_if_missing()
    {
        var script = BuildScript.Generate(Plan() with { CommitHash = Sha, GitDepth = 5 });
        Assert.Contains("--depth 5 -- ", script);
        Assert.Contains($"if ! git -C source checkout -q --detach '{Sha}' 2>/dev/null; then\n", script);
        Assert.Contains($"  run git -C source fetch -q --depth 5 origin '{Sha}'\n", script);
        Assert.Contains("  run git -C source checkout -q --detach FETCH_HEAD\n", script);
    }

    [Fact]
    public void Depth_zero_means_a_full_clone_and_fetch()
    {
        var script = BuildScript.Generate(Plan() with { CommitHash = Sha, GitDepth = 0, GitSubmodules = true });
        Assert.DoesNotContain("--depth", script);
        Assert.DoesNotContain("--shallow-submodules", script);
        Assert.Contains("--recurse-submodules -- ", script);
        Assert.Contains($"  run git -C source fetch -q origin '{Sha}'\n", script);
    }

    [Fact]
    public void Shallow_clones_with_submodules_are_shallow_for_submodules_too()
    {
        var script = BuildScript.Generate(Plan() with { GitSubmodules = true, GitDepth = 1 });
        Assert.Contains("--depth 1 --recurse-submodules --shallow-submodules -- ", script);
        Assert.DoesNotContain("recurse", BuildScript.Generate(Plan()));
    }

    [Fact]
    public void Make_target_config_vs_in_tree_config_file()
    {
        var target = BuildScript.Generate(Plan() with { KernelConfig = "tinyconfig" });
        var file = BuildScript.Generate(Plan() with { KernelConfig = "arch/x86/configs/x86_64_defconfig" });

        Assert.Contains("srun \"${KFARM_MAKE[@]}\" tinyconfig\n", target);
        Assert.DoesNotContain("olddefconfig", target);
        Assert.Contains("srun cp -- source/arch/x86/configs/x86_64_defconfig build/.config\n", file);
        Assert.Contains("srun \"${KFARM_MAKE[@]}\" olddefconfig\n", file);
    }

    [Fact]
    public void Fragment_targets_are_made_in_order_after_the_base_config_and_before_the_merged_fragments()
    {
        var commands = ConfigureSteps.For(Plan() with { KconfigFragments = ["CONFIG_A=y", "kvm_guest.config", "kernel/configs/debug.config", "x86_debug.config"] },
            "make", "$KFARM_WS").Select(c => c.Text).ToList();
        Assert.Equal(["make defconfig", "make kvm_guest.config", "make x86_debug.config"], commands.Take(3));
        var merge = Assert.Single(commands, c => c.Contains("merge_config.sh", StringComparison.Ordinal));
        Assert.DoesNotContain("kvm_guest", merge, StringComparison.Ordinal);
        Assert.Contains("'kernel/configs/debug.config'", merge, StringComparison.Ordinal);
        Assert.Equal("make olddefconfig", commands[^1]);
        // targets alone: nothing to merge afterwards (each target runs olddefconfig itself)
        Assert.Equal(["make defconfig", "make kvm_guest.config"], ConfigureSteps.For(Plan() with { KconfigFragments = ["kvm_guest.config"] }, "make", "$KFARM_WS").Select(c => c.Text));
    }

    [Fact]
    public void Inline_fragments_go_to_a_quoted_fragment_file_and_file_fragments_are_merged_from_the_tree()
    {
        var script = BuildScript.Generate(Plan() with
        {
            KconfigFragments = ["CONFIG_A=y", "kernel/configs/kvm_guest.config", "# CONFIG_B is not set"],
        });

        Assert.Contains("mkdir -p fragments && printf '%s\\n' 'CONFIG_A=y' '# CONFIG_B is not set' > fragments/kfarm-fragment.config || exit $?\n", script);
        var mergeCommand = ConfigureSteps.For(Plan() with { KconfigFragments = ["CONFIG_A=y", "kernel/configs/kvm_guest.config", "# CONFIG_B is not set"] },
            "\"${KFARM_MAKE[@]}\"", "$KFARM_WS").Single(c => c.Kind == ConfigureSteps.Kind.Tree).Text;
        Assert.Contains("merge_config.sh -m -O \"$KFARM_WS/build\" \"$KFARM_WS/build/.config\" \"$KFARM_WS/fragments/kfarm-fragment.config\" \"$KFARM_WS/source/\"'kernel/configs/kvm_guest.config')", mergeCommand);
        Assert.Contains("srun bash -c " + ShellQuote.Quote(mergeCommand) + "\n", script); // the tree's script runs in the sandbox
        var merge = script.IndexOf("merge_config.sh -m", StringComparison.Ordinal);
        Assert.True(script.IndexOf("olddefconfig", merge, StringComparison.Ordinal) > merge, "olddefconfig must follow the merge");
        Assert.DoesNotContain("kfarm-fragment", BuildScript.Generate(Plan() with { KconfigFragments = ["kernel/configs/kvm_guest.config"] }));
        Assert.DoesNotContain("merge_config", BuildScript.Generate(Plan()));
    }

    [Fact]
    public void Steps_are_marked_in_order()
    {
        var steps = Lines(BuildScript.Generate(Plan()))
            .Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => l[5..]).ToList();
        Assert.Equal(["preparing", "configuring", "building", "collecting", "done"], steps);
    }

    [Fact]
    public void Workspace_is_quoted_and_artifact_patterns_are_left_for_bash_to_glob()
    {
        var script = BuildScript.Generate(Plan() with { Workspace = "/srv/it's here", ArtifactPatterns = ["vmlinux", "*.ko", "arch/*/boot/bzImage"] });
        Assert.Contains("export KFARM_WS='/srv/it'\\''s here'\n", script);
        var collect = ArtifactCollection.Collect(["vmlinux", "*.ko", "arch/*/boot/bzImage"]);
        Assert.Contains("srun bash -c " + ShellQuote.Quote(collect) + "\n", script); // collected in the sandbox
        Assert.Contains("for f in vmlinux; do", collect);
        Assert.Contains("for f in **/*.ko; do", collect);
        Assert.Contains("for f in arch/*/boot/bzImage; do", collect);
    }

    [Theory]
    [InlineData("*.ko", "**/*.ko")]
    [InlineData("*.dtb", "**/*.dtb")]
    [InlineData("vmlinu?", "**/vmlinu?")]
    [InlineData("vmlinux", "vmlinux")]
    [InlineData("System.map", "System.map")]
    [InlineData("arch/*/boot/bzImage", "arch/*/boot/bzImage")]
    [InlineData("drivers/*.ko", "drivers/*.ko")]
    public void GlobFor_matches_slashless_wildcards_at_any_depth(string pattern, string glob) =>
        Assert.Equal(glob, BuildScript.GlobFor(pattern));

    [Theory]
    [InlineData("==> kfarm: step configuring", "configuring")]
    [InlineData("==> kfarm: step done\r", "done")]
    [InlineData("==> kfarm: step building  ", "building")]
    [InlineData("  ==> kfarm: step building", null)]
    [InlineData("==> kfarm: stepbuilding", null)]
    [InlineData("+ make -j8 bzImage", null)]
    [InlineData("", null)]
    public void ParseStepMarker_reads_only_marker_lines(string line, string? step) =>
        Assert.Equal(step, BuildScript.ParseStepMarker(line));

    [Theory]
    [InlineData("CONFIG_X=y", true)]
    [InlineData("# CONFIG_X is not set", true)]
    [InlineData("kernel/configs/kvm_guest.config", false)]
    [InlineData("config_x=y", false)]
    public void Inline_fragments_are_recognised(string fragment, bool inline) =>
        Assert.Equal(inline, ConfigureSteps.IsInline(fragment));

    [Fact]
    public void From_maps_request_and_placement()
    {
        var request = Request("arm64") with
        {
            Branch = "next",
            CommitHash = Sha,
            BuildConfig = new BuildConfig
            {
                KernelConfig = null,
                GitDepth = 3,
                GitSubmodules = true,
                KconfigFragments = ["CONFIG_A=y"],
                ExtraMakeArgs = ["W=1"],
                EnableModules = false,
                CustomEnv = new Dictionary<string, string> { ["K"] = "v" },
                ArtifactPatterns = ["vmlinux"],
            },
        };
        var placement = PlacementWith(new Toolchain("gcc-13", ["arm64"], "aarch64-linux-gnu-"), cores: 32);

        var plan = BuildPlan.From("job-9", request, placement, "/w/job-9", ArchitectureCatalog.Default);

        Assert.Equal("job-9", plan.JobId);
        Assert.Equal("/w/job-9", plan.Workspace);
        Assert.Equal(request.SourceRepository, plan.SourceRepository);
        Assert.Equal("next", plan.Branch);
        Assert.Equal(Sha, plan.CommitHash);
        Assert.Equal(3, plan.GitDepth);
        Assert.True(plan.GitSubmodules);
        Assert.Equal("arm64", plan.Architecture.Name);
        Assert.Equal("aarch64-linux-gnu-", plan.CrossCompile);
        Assert.False(plan.Llvm);
        Assert.Equal("defconfig", plan.KernelConfig);
        Assert.Equal(["CONFIG_A=y"], plan.KconfigFragments);
        Assert.Equal(["W=1"], plan.ExtraMakeArgs);
        Assert.Equal(32, plan.Jobs);
        Assert.False(plan.EnableModules);
        Assert.True(plan.BuildDtbs);
        Assert.Equal("v", plan.CustomEnv["K"]);
        Assert.Equal(["vmlinux"], plan.ArtifactPatterns);
    }

    [Fact]
    public void From_uses_default_patterns_and_defconfig_when_unset_and_rejects_unknown_architectures()
    {
        var plan = BuildPlan.From("j", Request("x86_64") with { BuildConfig = new BuildConfig { KernelConfig = "" } },
            PlacementWith(new Toolchain("gcc-12", ["x86_64"]), cores: 0), "/w/j", ArchitectureCatalog.Default);
        Assert.Equal("defconfig", plan.KernelConfig);
        Assert.Equal(BuildConfig.DefaultArtifactPatterns, plan.ArtifactPatterns);
        Assert.Equal(1, plan.Jobs);

        Assert.Throws<ArgumentException>(() => BuildPlan.From("j", Request("sparc"),
            PlacementWith(new Toolchain("gcc-12", ["sparc"])), "/w/j", ArchitectureCatalog.Default));
    }

    [Theory]
    [InlineData(null, null, "/srv/builds/job-42")]
    [InlineData("/mnt/fast", null, "/mnt/fast/job-42")]
    [InlineData("/mnt/fast/", null, "/mnt/fast/job-42")]
    [InlineData("/mnt/fast", "/mnt/fast/mine", "/mnt/fast/mine")]
    [InlineData(null, "/data/x", "/data/x")]
    public void WorkspaceFor_prefers_build_directory_then_workspace_root(string? root, string? dir, string expected) =>
        Assert.Equal(expected, BuildPlan.WorkspaceFor("42", new BuildJobRequest { BuildConfig = new BuildConfig { WorkspaceRoot = root, BuildDirectory = dir } }, "/srv/builds/"));

    [Fact]
    public void A_series_builds_where_the_last_series_of_its_kind_built()
    {
        var request = new BuildJobRequest
        {
            SourceRepository = "git://127.0.0.1/linux.git", TargetArchitecture = "x86_64", Toolchain = "gcc-12",
            BuildConfig = new BuildConfig { KernelConfig = "tinyconfig" }, Series = new SeriesRequest { Mbox = "m" },
        };
        var key = SeriesTree.Key(request);
        Assert.Equal($"/srv/builds/series-{key}", BuildPlan.WorkspaceFor("42", request, "/srv/builds"));
        Assert.Equal($"/srv/builds/series-{key}", BuildPlan.WorkspaceFor("43", request with { CommitHash = new string('a', 40) }, "/srv/builds"));
        Assert.Equal($"/mnt/fast/series-{key}", BuildPlan.WorkspaceFor("42", request with { BuildConfig = request.BuildConfig with { WorkspaceRoot = "/mnt/fast" } }, "/srv/builds"));
    }

    internal static BuildJobRequest Request(string arch) => new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        CommitHash = "HEAD",
        TargetArchitecture = arch,
    };

    internal static Placement PlacementWith(Toolchain toolchain, int cores = 16, string? cacheDirectory = null) => new("job-7", new BuildServer
    {
        CacheDirectory = cacheDirectory,
        Id = "srv-1",
        Hostname = "srv-1",
        IpAddress = "10.0.0.1",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = toolchain.TargetArchitectures,
        Toolchains = [toolchain],
        TotalCpuCores = cores,
    }, toolchain);
}
