namespace KernelFarm.Messages.Jobs;

public enum BootStatus { Pass, Fail }

/// <summary>
/// The outcome of a job's boot test (build_config.boot_test): the built kernel booted in QEMU and
/// its initramfs's init printed the marker (pass), or not (fail, with the reason). Like KernelCI, a
/// failed boot does not fail the build: the job completes and records boot: fail.
/// </summary>
public sealed record BootResult(BootStatus Status, double DurationS, string? Reason);
