using System.Text.Json.Serialization;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// A job as the API shows it: its request's fields and its record's, side by side at the top level
/// (<see cref="Views.Job"/> fills it). The OpenAPI schema is generated from this record, and
/// <c>BuildJobViewContractTests</c> checks that it has exactly the request's and the record's fields.
/// </summary>
public sealed record BuildJobView
{
    public required string Id { get; init; }
    public required string SourceRepository { get; init; }
    public required string Branch { get; init; }
    public required string CommitHash { get; init; }
    public required string TargetArchitecture { get; init; }
    /// <summary>The toolchain the job runs with (the request's, or the one placement chose); null until known.</summary>
    public string? Toolchain { get; init; }
    public int Priority { get; init; }
    /// <summary>custom_env values named in secret_env show as "***".</summary>
    public required BuildConfig BuildConfig { get; init; }
    /// <summary>Only for the job's owner and operators (absent otherwise); header values show as "***".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Webhook>? Webhooks { get; init; }
    public string? SubmittedBy { get; init; }
    /// <summary>The job asked to be built even if a completed build had the same inputs.</summary>
    public bool NoCache { get; init; }
    /// <summary>Set for a patch series (its report: GET /api/v1/series/{id}); null for a single build.</summary>
    public SeriesRequestView? Series { get; init; }
    /// <summary>A bisection's listing step (docs/bisection.md): the ends it resolves; it builds nothing.</summary>
    public RangeListing? ListRange { get; init; }
    public JobStatus Status { get; init; }
    public string? ServerId { get; init; }
    public required IReadOnlyList<StatusTransition> Transitions { get; init; }
    public string? LogPath { get; init; }
    public string? ArtifactDirectory { get; init; }
    public required IReadOnlyList<ArtifactEntry> Artifacts { get; init; }
    public JobFailure? Failure { get; init; }
    public BootResult? Boot { get; init; }
    public required IReadOnlyList<AttemptRecord> Attempts { get; init; }
    /// <summary>The completed job whose result this job took instead of building (same inputs, docs/reuse.md); null for a build.</summary>
    public string? ReusedFrom { get; init; }
    /// <summary>Compiler and linker warnings in the build log, counted as TuxMake counts them (metadata.json results.warnings); null until the job ended.</summary>
    public int? Warnings { get; init; }
    /// <summary>Errors in the build log, counted the same way; null until the job ended.</summary>
    public int? Errors { get; init; }
    /// <summary>Only for the job's owner and operators (absent otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WebhookDelivery>? WebhookDeliveries { get; init; }
    /// <summary>The ended build's push to the KCIDB submit URL (docs/kcidb.md "Push"), once delivered or given up on;
    /// only for the job's owner and operators, like the webhook deliveries (absent otherwise, or before an outcome).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WebhookDelivery? KcidbDelivery { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
