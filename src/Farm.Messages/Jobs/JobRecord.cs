namespace KernelFarm.Messages.Jobs;

/// <summary>A job as the API returns it: the request, where it runs, every transition, the outcome.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required BuildJobRequest Request { get; init; }
    public JobStatus Status { get; init; }
    public string? ServerId { get; init; }
    public string? Toolchain { get; init; }
    public IReadOnlyList<StatusTransition> Transitions { get; init; } = [];
    public string? LogPath { get; init; }
    public string? ArtifactDirectory { get; init; }
    public IReadOnlyList<ArtifactEntry> Artifacts { get; init; } = [];
    public JobFailure? Failure { get; init; }
    /// <summary>The boot test's result (build_config.boot_test); null when not asked for or the build failed first.</summary>
    public BootResult? Boot { get; init; }
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    /// <summary>The completed job whose result this job took instead of building (README "Result reuse").</summary>
    public string? ReusedFrom { get; init; }
    /// <summary>Compiler/linker warnings and errors in the build log (TuxMake's counts); null until the job ended.</summary>
    public int? Warnings { get; init; }
    public int? Errors { get; init; }
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries { get; init; } = [];
    /// <summary>The push of the ended build to the KCIDB submit URL (docs/kcidb.md "Push"); null when none was recorded.</summary>
    public WebhookDelivery? KcidbDelivery { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
