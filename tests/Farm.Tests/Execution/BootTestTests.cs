using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>The boot test's generated text: the booting step, the init source, the boot fragment and its merge order, the result.</summary>
public sealed class BootTestTests : IDisposable
{
    private readonly TempDir _dir = new("kfarm-boot-text-");

    public void Dispose() => _dir.Dispose();

    private static BootProfile Boot(string arch) => BuildScriptTests.Arch(arch).Boot ?? throw new InvalidOperationException($"{arch} has no boot profile");

    private static BuildPlan Plan(string arch = "x86_64") => BuildScriptTests.Plan(arch) with { Boot = Boot(arch) };

    private static string[] Lines(string script) => script.Split('\n');

    private static string MergeLine(string script) => Assert.Single(Lines(script), l => l.Contains("merge_config.sh -m", StringComparison.Ordinal));

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Architectures_with_qemu_have_a_boot_profile_others_do_not(string arch)
    {
        var boot = Boot(arch);
        Assert.StartsWith("qemu-system-", boot.Qemu, StringComparison.Ordinal);
        Assert.All(boot.Kconfig, line => Assert.True(ConfigureSteps.IsInline(line), line));
        Assert.Contains("CONFIG_BLK_DEV_INITRD=y", boot.Kconfig);
        Assert.Contains("CONFIG_RD_GZIP=y", boot.Kconfig);
        Assert.Contains("CONFIG_BINFMT_ELF=y", boot.Kconfig);
        Assert.Contains("CONFIG_TTY=y", boot.Kconfig);
        Assert.Contains("CONFIG_PRINTK=y", boot.Kconfig);
        Assert.Equal(60, boot.TimeoutSeconds);
        foreach (var other in ArchitectureCatalog.Default.Names.Except(["x86_64", "arm64"]))
            Assert.Null(BuildScriptTests.Arch(other).Boot);
    }

    [Fact]
    public void The_x86_64_profile_boots_a_bzImage_on_ttyS0_with_the_8250_console_and_arm64_an_Image_on_the_pl011()
    {
        var x86 = Boot("x86_64");
        Assert.Equal(("qemu-system-x86_64", "arch/x86/boot/bzImage", "ttyS0", "x86_64-linux-gnu-gcc"), (x86.Qemu, x86.KernelImage, x86.Console, x86.InitCompiler));
        Assert.Contains("CONFIG_SERIAL_8250_CONSOLE=y", x86.Kconfig);
        Assert.Contains("CONFIG_64BIT=y", x86.Kconfig);
        var arm = Boot("arm64");
        Assert.Equal(("qemu-system-aarch64", "arch/arm64/boot/Image", "ttyAMA0", "aarch64-linux-gnu-gcc"), (arm.Qemu, arm.KernelImage, arm.Console, arm.InitCompiler));
        Assert.Contains("CONFIG_SERIAL_AMBA_PL011_CONSOLE=y", arm.Kconfig);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void A_script_with_a_boot_test_passes_bash_syntax_check(string arch)
    {
        var file = _dir.Combine(BuildScript.ScriptName);
        File.WriteAllText(file, BuildScript.Generate(Plan(arch) with { KconfigFragments = ["# CONFIG_TTY is not set", "kernel/configs/debug.config"] }));
        var r = LocalShell.Run(LocalShell.Bash, ["-n", file]);
        Assert.True(r.ExitCode == 0, $"bash -n failed: {r.Stderr}");
    }

    [Fact]
    public void Booting_comes_after_collecting_and_before_done_and_only_when_asked()
    {
        static string[] Steps(string script) =>
            Lines(script).Select(l => l.Trim()).Where(l => l.StartsWith("step ", StringComparison.Ordinal)).Select(l => l[5..]).ToArray();
        Assert.Equal(["preparing", "configuring", "building", "collecting", "booting", "done"], Steps(BuildScript.Generate(Plan())));
        var without = BuildScript.Generate(BuildScriptTests.Plan());
        Assert.Equal(["preparing", "configuring", "building", "collecting", "done"], Steps(without));
        Assert.DoesNotContain(BootTest.FragmentFile, without, StringComparison.Ordinal);
        Assert.DoesNotContain("qemu", without, StringComparison.Ordinal);
    }

    [Fact]
    public void The_boot_fragment_is_merged_even_without_job_fragments()
    {
        var script = BuildScript.Generate(Plan());
        Assert.Contains(BootTest.WriteFragment(Boot("x86_64")) + " || exit $?", Lines(script));
        Assert.EndsWith($"\"$KFARM_WS/build/.config\" \"$KFARM_WS/{BootTest.FragmentFile}\")'", MergeLine(script), StringComparison.Ordinal);
        Assert.StartsWith("srun bash -c '", MergeLine(script), StringComparison.Ordinal); // the tree's script, in the sandbox
    }

    [Fact]
    public void The_boot_fragment_is_merged_first_so_that_the_jobs_fragments_win()
    {
        var plan = Plan() with { KconfigFragments = ["# CONFIG_SERIAL_8250_CONSOLE is not set", "kernel/configs/tiny.config"] };
        var merge = MergeLine(BuildScript.Generate(plan));
        var boot = merge.IndexOf(BootTest.FragmentFile, StringComparison.Ordinal);
        var inline = merge.IndexOf("kfarm-fragment.config", StringComparison.Ordinal);
        var tree = merge.IndexOf("kernel/configs/tiny.config", StringComparison.Ordinal);
        Assert.True(boot > 0 && boot < inline && inline < tree, merge);
    }

    [Fact]
    public void The_reproducer_merges_the_boot_fragment_first_too_so_it_rebuilds_the_same_config()
    {
        var reproducer = Reproducer.Generate(Plan() with { KconfigFragments = ["# CONFIG_TTY is not set"] }, null, []);
        Assert.Contains(BootTest.WriteFragment(Boot("x86_64")), Lines(reproducer));
        var merge = MergeLine(reproducer);
        Assert.True(merge.IndexOf(BootTest.FragmentFile, StringComparison.Ordinal) is > 0 and var boot
            && boot < merge.IndexOf("fragment.config\"", boot + BootTest.FragmentFile.Length, StringComparison.Ordinal), merge);
        Assert.DoesNotContain(BootTest.FragmentFile, Reproducer.Generate(BuildScriptTests.Plan(), null, []), StringComparison.Ordinal);
    }

    [Fact]
    public void The_boot_fragment_is_written_single_quoted_line_by_line()
    {
        var line = BootTest.WriteFragment(Boot("x86_64"));
        Assert.StartsWith("mkdir -p fragments && printf '%s\\n' 'CONFIG_64BIT=y' 'CONFIG_BLK_DEV_INITRD=y'", line, StringComparison.Ordinal);
        Assert.EndsWith($" > {BootTest.FragmentFile}", line, StringComparison.Ordinal);
        var r = LocalShell.BashC(line, _dir.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Boot("x86_64").Kconfig, File.ReadAllLines(_dir.Combine(BootTest.FragmentFile)));
    }

    [Fact]
    public void Qemu_runs_under_a_foreground_timeout_without_reboot_with_the_console_and_panic_on_the_command_line()
    {
        var words = BootTest.QemuCommand(Boot("x86_64"));
        Assert.Equal(["timeout", "--foreground", "-k", "5", "60", "'qemu-system-x86_64'"], words.Take(6));
        Assert.Contains("-no-reboot", words);
        Assert.Equal(["-display", "none", "-serial", "stdio", "-monitor", "none", "-nic", "none"], words.SkipWhile(w => w != "-display").Take(8));
        Assert.DoesNotContain("-nographic", words);
        Assert.Equal("'build/arch/x86/boot/bzImage'", words[words.ToList().IndexOf("-kernel") + 1]);
        Assert.Equal("boot/initramfs.cpio.gz", words[words.ToList().IndexOf("-initrd") + 1]);
        Assert.Equal("'console=ttyS0 panic=-1'", words[^1]);
        Assert.DoesNotContain(BootTest.Marker, string.Join(' ', words), StringComparison.Ordinal); // the command line is echoed on the console
        Assert.Equal(["'-machine'", "'virt'", "'-cpu'", "'cortex-a57'"], BootTest.QemuCommand(Boot("arm64")).Skip(6).Take(4));
        Assert.Equal("'console=ttyAMA0 panic=-1'", BootTest.QemuCommand(Boot("arm64"))[^1]);
    }

    [Fact]
    public void The_step_decides_by_the_marker_as_a_whole_line_never_by_qemus_exit_code()
    {
        var script = BootTest.SandboxedStep(Boot("x86_64"));
        Assert.Contains($"grep -qxF '{BootTest.Marker}'", script, StringComparison.Ordinal);
        Assert.Contains("kfarm_boot_result pass", script, StringComparison.Ordinal);
        Assert.Single(Lines(script), l => l.Contains("kfarm_boot_result pass", StringComparison.Ordinal));
        // a kernel that does not boot never fails the build: the step never exits the script
        Assert.DoesNotContain(Lines(script), l => l.Contains("exit", StringComparison.Ordinal) && !l.Contains("exit code", StringComparison.Ordinal));
    }

    [Fact]
    public void The_init_prints_the_marker_on_the_console_and_restarts()
    {
        Assert.Contains($"\"\\n{BootTest.Marker}\\n\"", BootTest.InitSource, StringComparison.Ordinal);
        Assert.Contains("open(\"/dev/console\"", BootTest.InitSource, StringComparison.Ordinal);
        Assert.True(BootTest.InitSource.IndexOf("RB_AUTOBOOT", StringComparison.Ordinal) < BootTest.InitSource.IndexOf("RB_POWER_OFF", StringComparison.Ordinal));
        Assert.DoesNotContain("KFARM_INIT_C", BootTest.InitSource, StringComparison.Ordinal); // the here-document's end
    }

    [Fact]
    public void The_init_source_compiles_cleanly_as_a_static_binary()
    {
        File.WriteAllText(_dir.Combine("init.c"), BootTest.InitSource);
        var r = LocalShell.Run("gcc", ["-Wall", "-Wextra", "-Werror", "-static", "-Os", "-o", "init", "init.c"], _dir.Path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var elf = File.ReadAllBytes(_dir.Combine("init"));
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, elf.AsSpan(0, 4).ToArray());
        Assert.DoesNotContain("INTERP", LocalShell.MustRun("readelf", ["-l", _dir.Combine("init")]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_result_is_read_from_the_workspace_quoted()
    {
        Assert.Equal("cat -- '/srv/b/job-1/boot.result' 2>/dev/null; true", BootTest.ReadResult("/srv/b/job-1"));
        Assert.Equal("cat -- '/srv/it'\\''s/boot.result' 2>/dev/null; true", BootTest.ReadResult("/srv/it's"));
    }

    [Theory]
    [InlineData("status=pass\nduration_s=1.234\nreason=\n", BootStatus.Pass, 1.234, null)]
    [InlineData("status=fail\nduration_s=60.017\nreason=no marker within 60 s: QEMU was stopped\n", BootStatus.Fail, 60.017, "no marker within 60 s: QEMU was stopped")]
    [InlineData("status=fail\nduration_s=0.9\nreason=kernel panic: not syncing: a=b\n", BootStatus.Fail, 0.9, "kernel panic: not syncing: a=b")]
    [InlineData("status=pass\r\nduration_s=2\r\nreason=\r\n", BootStatus.Pass, 2.0, null)]
    [InlineData("status=fail\nduration_s=banana\nreason=x\n", BootStatus.Fail, 0.0, "x")]
    [InlineData("status=fail\nduration_s=-3\nreason=x\u0007y\n", BootStatus.Fail, 0.0, "xy")]
    public void ParseResult_reads_status_duration_and_reason(string text, BootStatus status, double duration, string? reason) =>
        Assert.Equal(new BootResult(status, duration, reason), BootTest.ParseResult(text));

    [Theory]
    [InlineData("")]
    [InlineData("status=maybe\n")]
    [InlineData("duration_s=1\nreason=x\n")]
    public void No_result_or_a_garbled_one_is_a_failed_boot(string text)
    {
        var r = BootTest.ParseResult(text);
        Assert.Equal(BootStatus.Fail, r.Status);
        Assert.Equal("the boot step left no result (boot.result)", r.Reason);
    }

    [Fact]
    public void A_long_reason_is_cut()
    {
        var r = BootTest.ParseResult("status=fail\nduration_s=1\nreason=" + new string('x', 5000) + "\n");
        Assert.Equal(401, r.Reason!.Length);
        Assert.EndsWith("…", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void From_takes_the_boot_profile_only_when_the_job_asks_for_a_boot_test()
    {
        static BuildJobRequest Request(string arch, bool boot) => new()
        {
            SourceRepository = "https://git.example.org/linux.git",
            Branch = "master",
            TargetArchitecture = arch,
            BuildConfig = new BuildConfig { KernelConfig = "tinyconfig", BootTest = boot },
        };
        var placement = BuildScriptTests.PlacementWith(new Toolchain("gcc-12", ["x86_64", "arm64", "riscv64"]));
        Assert.Same(Boot("x86_64"), BuildPlan.From("j", Request("x86_64", true), placement, "/w/j", ArchitectureCatalog.Default).Boot);
        Assert.Same(Boot("arm64"), BuildPlan.From("j", Request("arm64", true), placement, "/w/j", ArchitectureCatalog.Default).Boot);
        Assert.Null(BuildPlan.From("j", Request("x86_64", false), placement, "/w/j", ArchitectureCatalog.Default).Boot);
        var e = Assert.Throws<ArgumentException>(() => BuildPlan.From("j", Request("riscv64", true), placement, "/w/j", ArchitectureCatalog.Default));
        Assert.Contains("riscv64", e.Message, StringComparison.Ordinal);
    }
}
