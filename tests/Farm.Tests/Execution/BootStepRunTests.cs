using System.Security.Cryptography;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>
/// Runs the generated booting step for real in a workspace after a (fake) build: the init is
/// compiled with the real gcc -static and packed with cpio; a fake QEMU checks what it is given
/// and plays a kernel that boots, panics, stays silent, hangs or cannot start.
/// </summary>
public sealed class BootStepRunTests : IDisposable
{
    private const string FakeQemu = """
        #!/bin/bash
        # A stand-in for qemu-system-*: checks the kernel and the initramfs, then plays $FAKE_QEMU.
        printf '%s\n' "$@" > boot/qemu.args
        while [ $# -gt 0 ]; do
          case $1 in -kernel) kernel=$2; shift ;; -initrd) initrd=$2; shift ;; esac
          shift
        done
        [ -f "$kernel" ] || { echo "fake-qemu: could not load kernel '$kernel'" >&2; exit 1; }
        gzip -dc "$initrd" | cpio -it --quiet > boot/initramfs.list || { echo 'fake-qemu: bad initramfs' >&2; exit 1; }
        case $FAKE_QEMU in
          pass) printf 'Linux version 6.1.0 (kernelfarm@kernelfarm)\r\nRun /init as init process\r\n\r\nkfarm init: Linux 6.1.0 x86_64\r\nKFARM-BOOT-OK\r\nreboot: Restarting system\r\n' ;;
          panic) printf 'Linux version 6.1.0\r\nKernel panic - not syncing: No working init found.  Try passing init= option to kernel.\r\nRebooting immediately.\r\n' ;;
          silent) ;;
          hang) printf 'Linux version 6.1.0\r\n'; exec sleep 30 ;;
          broken) echo 'fake-qemu: -machine pc: unsupported machine type' >&2; exit 1 ;;
          inline) printf 'random: KFARM-BOOT-OK is not a line of its own\r\n' ;;
        esac
        exit 0
        """;

    private readonly TempDir _dir = new("kfarm-boot-run-");
    private readonly string _bin;

    public BootStepRunTests()
    {
        _bin = _dir.Combine("bin");
        Directory.CreateDirectory(_bin);
        File.WriteAllText(Path.Combine(_bin, "kfarm-fake-qemu"), FakeQemu.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        LocalShell.MustRun("chmod", ["+x", Path.Combine(_bin, "kfarm-fake-qemu")]);
    }

    public void Dispose() => _dir.Dispose();

    private static BootProfile Profile(int timeoutSeconds = 60) =>
        (BuildScriptTests.Arch("x86_64").Boot ?? throw new InvalidOperationException("no x86_64 boot profile")) with
        {
            Qemu = "kfarm-fake-qemu",
            TimeoutSeconds = timeoutSeconds,
        };

    private sealed record Outcome(string Workspace, ProcessResult Process, BootResult Result, string Log)
    {
        public string ConsoleLog => File.ReadAllText(Path.Combine(Workspace, "artifacts", BootTest.ConsoleLog));
        public string[] Manifest => File.ReadAllLines(Path.Combine(Workspace, "manifest.tsv"));
    }

    /// <summary>A workspace as the collecting step leaves it, then the booting step and "step done", as in kfarm-run.sh.</summary>
    private Outcome Run(string mode, BootProfile? profile = null, string config = "", bool image = true)
    {
        profile ??= Profile();
        var ws = _dir.Combine("ws-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(ws, "build", "arch", "x86", "boot"));
        Directory.CreateDirectory(Path.Combine(ws, "artifacts"));
        if (image) File.WriteAllText(Path.Combine(ws, "build", profile.KernelImage), "bzImage");
        File.WriteAllText(Path.Combine(ws, "build", ".config"), config.Length > 0 ? config : string.Join('\n', profile.Kconfig) + "\n");
        File.WriteAllText(Path.Combine(ws, "artifacts", "bzImage"), "bzImage");
        File.WriteAllText(Path.Combine(ws, "manifest.tsv"), $"{new string('a', 64)}\t7\tbzImage\n");
        var script = string.Join('\n',
            "#!/bin/bash",
            "set -u",
            "export LC_ALL=C",
            $"export PATH={ShellQuote.Quote(_bin)}:\"$PATH\" FAKE_QEMU={ShellQuote.Quote(mode)}",
            $"cd {ShellQuote.Quote(ws)} || exit 90",
            "exec >>build.log 2>&1 </dev/null",
            $"step() {{ printf '{BuildScript.StepMarker}%s\\n' \"$1\"; }}",
            // The boot step's own logic, without isolation (the fake QEMU lives in this test's temporary folder):
            // BuildScriptRunTests and the integration tests run it in the real sandbox.
            "kfarm_sb() { \"$@\"; }",
            $"kfarm_filter() {{ sed -u 's/==> kfarm:/{BuildScript.NeutralisedMarker}/g'; }}",
            BootTest.Script(profile),
            $"kfarm_sb bash -c {ShellQuote.Quote(ArtifactCollection.Manifest)} > manifest.tsv",
            "step done",
            "exit 0",
            "");
        File.WriteAllText(Path.Combine(ws, "boot-step.sh"), script);
        var process = LocalShell.Run(LocalShell.Bash, ["boot-step.sh"], ws, TimeSpan.FromMinutes(1));
        var result = BootTest.ParseResult(File.Exists(Path.Combine(ws, BootTest.ResultFile)) ? File.ReadAllText(Path.Combine(ws, BootTest.ResultFile)) : "");
        return new Outcome(ws, process, result, File.ReadAllText(Path.Combine(ws, "build.log")));
    }

    private static void AssertStepEndedNormally(Outcome o)
    {
        Assert.True(o.Process.ExitCode == 0, $"exit {o.Process.ExitCode}\n{o.Log}");
        Assert.Equal(["booting", "done"], o.Log.Split('\n').Select(BuildScript.ParseStepMarker).OfType<string>());
    }

    [Fact]
    public void A_kernel_whose_init_prints_the_marker_passes_and_its_console_log_joins_the_manifest()
    {
        var o = Run("pass");
        AssertStepEndedNormally(o);
        Assert.Equal(BootStatus.Pass, o.Result.Status);
        Assert.Null(o.Result.Reason);
        Assert.InRange(o.Result.DurationS, 0.0, 30.0);
        Assert.Contains("KFARM-BOOT-OK\r\n", o.ConsoleLog, StringComparison.Ordinal);
        Assert.Contains("boot: pass after ", o.Log, StringComparison.Ordinal);

        var entry = Assert.Single(o.Manifest, l => l.EndsWith("\tboot/console.log", StringComparison.Ordinal)).Split('\t');
        var bytes = File.ReadAllBytes(Path.Combine(o.Workspace, "artifacts", "boot", "console.log"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry[0]);
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), entry[1]);
        Assert.Equal(2, o.Manifest.Length);
        Assert.NotNull(ArtifactManifest.Parse(File.ReadAllText(Path.Combine(o.Workspace, "manifest.tsv"))));
    }

    [Fact]
    public void The_console_goes_into_build_log_prefixed_so_it_cannot_forge_a_step_marker()
    {
        var o = Run("pass");
        Assert.Contains("console: KFARM-BOOT-OK\n", o.Log, StringComparison.Ordinal);
        Assert.Contains("console: Run /init as init process\n", o.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", o.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Qemu_gets_the_image_the_packed_static_init_and_the_command_line()
    {
        var o = Run("pass");
        var args = File.ReadAllLines(Path.Combine(o.Workspace, "boot", "qemu.args"));
        Assert.Equal(["-machine", "pc", "-accel", "tcg", "-m", "256",
            "-display", "none", "-serial", "stdio", "-monitor", "none", "-nic", "none", "-no-reboot",
            "-kernel", "build/arch/x86/boot/bzImage", "-initrd", "boot/initramfs.cpio.gz", "-append", "console=ttyS0 panic=-1"], args);
        Assert.Equal(["init"], File.ReadAllLines(Path.Combine(o.Workspace, "boot", "initramfs.list")));
        var init = File.ReadAllBytes(Path.Combine(o.Workspace, "boot", "initramfs", "init"));
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2 }, init.AsSpan(0, 5).ToArray());
        Assert.Equal(62, BitConverter.ToUInt16(init, 18)); // EM_X86_64
        Assert.Contains("+ timeout --foreground -k 5 60 kfarm-fake-qemu", o.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_panic_fails_the_boot_with_the_panic_as_the_reason_although_qemu_exits_0()
    {
        var o = Run("panic");
        AssertStepEndedNormally(o);
        Assert.Equal(BootStatus.Fail, o.Result.Status);
        Assert.Equal("kernel panic: not syncing: No working init found.  Try passing init= option to kernel.", o.Result.Reason);
        Assert.Contains("Kernel panic", o.ConsoleLog, StringComparison.Ordinal);
        Assert.Single(o.Manifest, l => l.EndsWith("\tboot/console.log", StringComparison.Ordinal));
    }

    [Fact]
    public void A_kernel_without_a_console_fails_and_the_reason_names_the_options_the_final_config_lacks()
    {
        var config = string.Join('\n', Profile().Kconfig.Where(l => l != "CONFIG_SERIAL_8250_CONSOLE=y")) + "\n# CONFIG_SERIAL_8250_CONSOLE is not set\n";
        var o = Run("silent", config: config);
        AssertStepEndedNormally(o);
        Assert.Equal(BootStatus.Fail, o.Result.Status);
        Assert.Equal("no console output: the kernel has no working console on ttyS0 (the final .config lacks CONFIG_SERIAL_8250_CONSOLE=y)", o.Result.Reason);
        Assert.Contains("boot: the final .config lacks CONFIG_SERIAL_8250_CONSOLE=y", o.Log, StringComparison.Ordinal);
        Assert.Equal("", o.ConsoleLog);
    }

    [Fact]
    public void A_hanging_kernel_is_stopped_at_the_timeout_and_fails()
    {
        var o = Run("hang", Profile(timeoutSeconds: 1));
        AssertStepEndedNormally(o);
        Assert.Equal(BootStatus.Fail, o.Result.Status);
        Assert.Equal("no marker within 1 s: QEMU was stopped", o.Result.Reason);
        Assert.InRange(o.Result.DurationS, 0.9, 10.0);
    }

    [Fact]
    public void A_qemu_that_cannot_start_fails_with_its_error()
    {
        var o = Run("broken");
        AssertStepEndedNormally(o);
        Assert.Equal("QEMU failed with exit code 1: fake-qemu: -machine pc: unsupported machine type", o.Result.Reason);
        Assert.Contains("qemu: fake-qemu: -machine pc: unsupported machine type", o.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void The_marker_counts_only_as_a_line_of_its_own()
    {
        var o = Run("inline");
        Assert.Equal(BootStatus.Fail, o.Result.Status);
        Assert.Equal("the kernel stopped before init printed the marker", o.Result.Reason);
    }

    [Fact]
    public void A_server_without_qemu_records_a_failed_boot_and_the_build_still_ends_normally()
    {
        var o = Run("pass", Profile() with { Qemu = "qemu-system-kfarm-nowhere" });
        AssertStepEndedNormally(o);
        Assert.Equal(new BootResult(BootStatus.Fail, 0, "qemu-system-kfarm-nowhere is not installed on the build server"), o.Result);
        Assert.Single(o.Manifest, l => l.EndsWith("\tboot/console.log", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_image_or_init_compiler_records_a_failed_boot()
    {
        Assert.Equal("no kernel image build/arch/x86/boot/bzImage", Run("pass", image: false).Result.Reason);
        var o = Run("pass", Profile() with { InitCompiler = "false" });
        AssertStepEndedNormally(o);
        Assert.Equal("cannot build the initramfs: false -static failed (is the target's C library installed?)", o.Result.Reason);
    }

    [Fact]
    public void Each_run_starts_from_a_clean_boot_folder()
    {
        var o = Run("panic");
        File.WriteAllText(Path.Combine(o.Workspace, "boot", "stale"), "x");
        var again = LocalShell.Run(LocalShell.Bash, ["boot-step.sh"], o.Workspace, TimeSpan.FromMinutes(1));
        Assert.Equal(0, again.ExitCode);
        Assert.False(File.Exists(Path.Combine(o.Workspace, "boot", "stale")));
    }
}
