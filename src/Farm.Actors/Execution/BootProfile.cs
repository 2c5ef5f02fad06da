namespace KernelFarm.Actors.Execution;

/// <summary>
/// How to boot-test a kernel of one architecture in QEMU (software emulation): the "boot" section
/// of its profile in <c>Execution/Architectures/&lt;name&gt;.json</c>. An architecture without one
/// refuses build_config.boot_test.
/// </summary>
public sealed record BootProfile
{
    /// <summary>The QEMU system emulator (qemu-system-x86_64, qemu-system-aarch64).</summary>
    public required string Qemu { get; init; }

    /// <summary>Machine, CPU and memory arguments; the farm adds the kernel, initrd, command line and console.</summary>
    public IReadOnlyList<string> QemuArgs { get; init; } = [];

    /// <summary>The image QEMU boots, relative to the build directory.</summary>
    public required string KernelImage { get; init; }

    /// <summary>The serial console device on the kernel command line (ttyS0, ttyAMA0).</summary>
    public required string Console { get; init; }

    /// <summary>The C compiler that builds the static init for the target (its libc must be installed).</summary>
    public required string InitCompiler { get; init; }

    /// <summary>
    /// Kconfig lines the kernel needs to boot the initramfs and print on the console. Merged before
    /// the job's own fragments, so a job that disables one of them wins (and fails the boot test).
    /// </summary>
    public IReadOnlyList<string> Kconfig { get; init; } = [];

    /// <summary>QEMU is killed after this long without having exited.</summary>
    public int TimeoutSeconds { get; init; } = 60;
}
