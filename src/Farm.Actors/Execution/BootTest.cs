using System.Globalization;
using System.Text;
using KernelFarm.Messages.Jobs;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The boot test (build_config.boot_test), the way KernelCI does it: after collecting, the script's
/// "booting" step builds a one-file initramfs (a static init compiled on the server), boots the
/// built kernel in QEMU with software emulation (no KVM), and decides by a marker line that init
/// prints on the console: QEMU exits 0 even when the kernel panics, so its exit code proves nothing.
/// The step never fails the script: it writes <see cref="ResultFile"/> (read by the job before the
/// transfer) and adds boot/console.log to the artifacts and their manifest.
/// </summary>
public static class BootTest
{
    public const string StepName = "booting";

    /// <summary>The line init prints; never on the kernel command line, so only a running init can print it.</summary>
    public const string Marker = "KFARM-BOOT-OK";

    /// <summary>The farm's boot fragment in the workspace, merged before the job's own fragments.</summary>
    public const string FragmentFile = BuildSandbox.FragmentsFolder + "/kfarm-boot.config";

    /// <summary>In the workspace: "status=pass|fail", "duration_s=S.mmm", "reason=…" lines.</summary>
    public const string ResultFile = "boot.result";

    /// <summary>Where the sandboxed step writes its result, for the agent to copy to <see cref="ResultFile"/>.</summary>
    public const string SandboxResultFile = "boot/result";

    /// <summary>The serial console's output, relative to the artifacts folder (and to the job's storage folder).</summary>
    public const string ConsoleLog = "boot/console.log";

    /// <summary>Console lines copied into build.log carry this prefix, so the kernel cannot forge a step marker.</summary>
    public const string ConsolePrefix = "console: ";

    private const int MaxReasonLength = 400;

    /// <summary>
    /// The initramfs's /init. /dev/console comes from the kernel's built-in default initramfs, so
    /// the archive needs no device node (the build user cannot make one). It restarts rather than
    /// powers off: QEMU runs with -no-reboot, so a restart ends it, and unlike a power-off a restart
    /// needs no ACPI (tinyconfig has none; a power-off would halt and wait for the timeout).
    /// </summary>
    public static readonly string InitSource = """
        /* KernelFarm boot test: the initramfs's init. Prints the marker on the console, then ends the VM. */
        #include <fcntl.h>
        #include <string.h>
        #include <sys/reboot.h>
        #include <sys/utsname.h>
        #include <unistd.h>

        static void say(int fd, const char *s)
        {
            if (write(fd, s, strlen(s)) < 0) { /* no console: nowhere to say it */ }
        }

        int main(void)
        {
            struct utsname u;
            int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
            if (fd < 0) fd = 1;
            if (uname(&u) == 0) {
                say(fd, "\nkfarm init: Linux ");
                say(fd, u.release);
                say(fd, " ");
                say(fd, u.machine);
            }
            say(fd, "\n@MARKER@\n");
            reboot(RB_AUTOBOOT);
            reboot(RB_POWER_OFF);
            for (;;) pause();
        }

        """.Replace("@MARKER@", Marker, StringComparison.Ordinal);

    /// <summary>The kernel command line: the profile's serial console, and reboot at once on a panic (QEMU then exits).</summary>
    public static string KernelCommandLine(BootProfile boot) => $"console={boot.Console} panic=-1";

    /// <summary>The configuring step's line that writes the boot fragment into the workspace.</summary>
    public static string WriteFragment(BootProfile boot) =>
        $"mkdir -p {BuildSandbox.FragmentsFolder} && printf '%s\\n' {string.Join(' ', boot.Kconfig.Select(Quote))} > {FragmentFile}";

    /// <summary>The QEMU command as bash words (the kernel image and the initrd relative to the workspace).</summary>
    public static IReadOnlyList<string> QemuCommand(BootProfile boot) =>
    [
        "timeout", "--foreground", "-k", "5", boot.TimeoutSeconds.ToString(CultureInfo.InvariantCulture), Quote(boot.Qemu),
        .. boot.QemuArgs.Select(Quote),
        // The serial port on stdout and nothing else: no monitor, no NIC (its boot ROM would print), and no
        // -nographic (it makes the BIOS print on the serial port too, so a console-less kernel would not look silent).
        "-display", "none", "-serial", "stdio", "-monitor", "none", "-nic", "none", "-no-reboot",
        "-kernel", Quote("build/" + boot.KernelImage), "-initrd", "boot/initramfs.cpio.gz",
        "-append", Quote(KernelCommandLine(boot)),
    ];

    /// <summary>
    /// The "booting" step, run in the workspace after collecting. It always ends with a result
    /// (never exits the script), so a kernel that does not boot still completes the build.
    /// timeout runs in the foreground: in its own process group, a cancelled job would leave QEMU behind.
    /// </summary>
    public static string SandboxedStep(BootProfile boot)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        var timeout = boot.TimeoutSeconds.ToString(CultureInfo.InvariantCulture);

        L("kfarm_boot_result() {");
        L($"  printf 'status=%s\\nduration_s=%s\\nreason=%s\\n' \"$1\" \"$2\" \"$3\" > {SandboxResultFile}");
        L("  printf 'boot: %s after %s s%s\\n' \"$1\" \"$2\" \"${3:+ ($3)}\"");
        L("}");
        L("kfarm_boot() {");
        L($"  local image={Quote("build/" + boot.KernelImage)} qemu={Quote(boot.Qemu)} cc={Quote(boot.InitCompiler)} log=artifacts/{ConsoleLog}");
        L("  local missing= o rc t0 ms took panic reason");
        L("  find boot -mindepth 1 -delete 2>/dev/null");
        L("  mkdir -p boot/initramfs artifacts/boot && : > \"$log\" || { kfarm_boot_result fail 0 'cannot create the boot folders in the workspace'; return; }");
        // Options the farm asked for but the final .config lacks: a job fragment or a dependency removed them.
        L($"  for o in {string.Join(' ', boot.Kconfig.Select(Quote))}; do");
        L("    case $o in CONFIG_*) grep -qxF -- \"$o\" build/.config || missing=\"$missing $o\" ;; esac");
        L("  done");
        L("  [ -z \"$missing\" ] || echo \"boot: the final .config lacks$missing\"");
        L("  [ -f \"$image\" ] || { kfarm_boot_result fail 0 \"no kernel image $image\"; return; }");
        L("  command -v \"$qemu\" >/dev/null || { kfarm_boot_result fail 0 \"$qemu is not installed on the build server\"; return; }");
        L("  command -v cpio >/dev/null || { kfarm_boot_result fail 0 'cpio is not installed on the build server'; return; }");
        L("  cat > boot/init.c <<'KFARM_INIT_C'");
        s.Append(InitSource);
        L("KFARM_INIT_C");
        L("  printf '+ %s\\n' \"$cc -static -Os -s -o boot/initramfs/init boot/init.c\"");
        L("  \"$cc\" -static -Os -s -o boot/initramfs/init boot/init.c ||");
        L("    { kfarm_boot_result fail 0 \"cannot build the initramfs: $cc -static failed (is the target's C library installed?)\"; return; }");
        L("  (set -o pipefail; cd boot/initramfs && printf 'init\\n' | cpio --quiet -o -H newc -R 0:0 | gzip -9n > ../initramfs.cpio.gz) ||");
        L("    { kfarm_boot_result fail 0 'cannot pack the initramfs (cpio, gzip)'; return; }");
        L($"  local qemu_cmd=({string.Join(' ', QemuCommand(boot))})");
        L("  printf '+ %s\\n' \"${qemu_cmd[*]}\"");
        L("  t0=$(date +%s%N)");
        L("  \"${qemu_cmd[@]}\" </dev/null >\"$log\" 2>boot/qemu.err");
        L("  rc=$?");
        L("  ms=$(( ($(date +%s%N) - t0) / 1000000 ))");
        L("  took=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))");
        L($"  tr -d '\\r' < \"$log\" | sed 's/^/{ConsolePrefix}/'");
        L("  [ -s boot/qemu.err ] && sed 's/^/qemu: /' boot/qemu.err");
        L($"  if tr -d '\\r' < \"$log\" | grep -qxF {Quote(Marker)}; then kfarm_boot_result pass \"$took\" ''; return; fi");
        L("  panic=$(tr -d '\\r' < \"$log\" | grep -m1 -o 'Kernel panic - .*' | tr -cd '[:print:]')");
        L($"  if [ \"$rc\" -eq 124 ] || [ \"$rc\" -eq 137 ]; then reason='no marker within {timeout} s: QEMU was stopped'");
        L("  elif [ -n \"$panic\" ]; then reason=\"kernel panic: ${panic#Kernel panic - }\"");
        L("  elif [ \"$rc\" -ne 0 ]; then reason=\"QEMU failed with exit code $rc: $(head -c 300 boot/qemu.err | tr -s '\\n' ' ' | tr -cd '[:print:]')\"");
        L($"  elif [ ! -s \"$log\" ]; then reason={Quote($"no console output: the kernel has no working console on {boot.Console}")}");
        L("  else reason='the kernel stopped before init printed the marker'");
        L("  fi");
        L("  [ -z \"$missing\" ] || reason=\"$reason (the final .config lacks$missing)\"");
        L("  kfarm_boot_result fail \"$took\" \"$reason\"");
        L("}");
        L("kfarm_boot");
        return s.ToString();
    }

    /// <summary>
    /// The "booting" step of the build script: <see cref="SandboxedStep"/> in the job's sandbox (QEMU and
    /// the initramfs run there like the build), then the agent copies the result out of the boot folder.
    /// </summary>
    public static string Script(BootProfile boot) =>
        $"step {StepName}\n" +
        $"kfarm_sb bash -c {Quote(SandboxedStep(boot))} 2>&1 | kfarm_filter\n" +
        $"rm -f {ResultFile}; [ -f {SandboxResultFile} ] && [ ! -L {SandboxResultFile} ] && head -c 4096 {SandboxResultFile} > {ResultFile}\n";

    /// <summary>Prints the workspace's boot result (nothing if the step left none).</summary>
    public static string ReadResult(string workspace) => $"cat -- {Quote(workspace + "/" + ResultFile)} 2>/dev/null; true";

    /// <summary>Reads what <see cref="Script"/> wrote; no result or a garbled one is a failed boot.</summary>
    public static BootResult ParseResult(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) fields.TryAdd(line[..eq], line[(eq + 1)..].TrimEnd('\r'));
        }
        var status = fields.GetValueOrDefault("status") switch
        {
            "pass" => BootStatus.Pass,
            "fail" => BootStatus.Fail,
            _ => (BootStatus?)null,
        };
        if (status is null) return new BootResult(BootStatus.Fail, 0, $"the boot step left no result ({ResultFile})");
        var duration = double.TryParse(fields.GetValueOrDefault("duration_s"), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d : 0;
        var reason = Clean(fields.GetValueOrDefault("reason"));
        return new BootResult(status.Value, Math.Round(duration, 3), reason);
    }

    /// <summary>The reason comes from the console (kernel text): printable, one line, bounded.</summary>
    private static string? Clean(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        var printable = new string(reason.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return printable.Length <= MaxReasonLength ? printable : printable[..MaxReasonLength] + "…";
    }
}
