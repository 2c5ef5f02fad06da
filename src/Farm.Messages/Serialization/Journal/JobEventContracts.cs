using KernelFarm.Messages.Jobs;
using E = KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>The journal shapes of <see cref="BuildJobEvents"/> (version 1: the shapes release 8457cc2 wrote).</summary>
public static class JobEventContracts
{
    public sealed record Created
    {
        public string JobId { get; init; } = "";
        public RequestContract Request { get; init; } = new();
        public DateTimeOffset At { get; init; }
        public static Created From(E.Created e) => new() { JobId = e.JobId, Request = RequestContract.From(e.Request), At = e.At };
        public E.Created ToDomain() => new(JobId, (Request ?? new()).ToDomain(), At);
    }

    public sealed record Assigned
    {
        public PlacementContract Placement { get; init; } = new();
        public string Workspace { get; init; } = "";
        public int Attempt { get; init; } = 1;
        public DateTimeOffset At { get; init; }
        public static Assigned From(E.Assigned e) => new() { Placement = PlacementContract.From(e.Placement), Workspace = e.Workspace, Attempt = e.Attempt, At = e.At };
        public E.Assigned ToDomain() => new((Placement ?? new()).ToDomain(), Workspace, Attempt, At);
    }

    public sealed record StepStarted
    {
        public string Status { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public static StepStarted From(E.StepStarted e) => new() { Status = JournalEnums.Name(e.Status), At = e.At };
        public E.StepStarted ToDomain() => new(JournalEnums.ParseStatus(Status), At);
    }

    public sealed record Launched
    {
        public int ProcessGroup { get; init; }
        public DateTimeOffset At { get; init; }
        public long LogBase { get; init; }
        public static Launched From(E.Launched e) => new() { ProcessGroup = e.ProcessGroup, At = e.At, LogBase = e.LogBase };
        public E.Launched ToDomain() => new(ProcessGroup, At, LogBase);
    }

    public sealed record BootTested
    {
        public BootResultContract Result { get; init; } = new();
        public DateTimeOffset At { get; init; }
        public static BootTested From(E.BootTested e) => new() { Result = BootResultContract.From(e.Result), At = e.At };
        public E.BootTested ToDomain() => new((Result ?? new()).ToDomain(), At);
    }

    public sealed record Completed
    {
        public string ArtifactDirectory { get; init; } = "";
        public IReadOnlyList<ArtifactContract>? Artifacts { get; init; }
        public DateTimeOffset At { get; init; }
        /// <summary>Added with result reuse: null in older journals.</summary>
        public string? ReuseKey { get; init; }
        public string? ReusedFrom { get; init; }
        /// <summary>Added with per-build diagnostics: null in older journals.</summary>
        public DiagnosticsContract? Diagnostics { get; init; }
        public static Completed From(E.Completed e) => new()
        {
            ArtifactDirectory = e.ArtifactDirectory, Artifacts = e.Artifacts.Select(ArtifactContract.From).ToList(), At = e.At,
            ReuseKey = e.ReuseKey, ReusedFrom = e.ReusedFrom, Diagnostics = DiagnosticsContract.From(e.Diagnostics),
        };
        public E.Completed ToDomain() => new(ArtifactDirectory, (Artifacts ?? []).Select(a => a.ToDomain()).ToList(), At, ReuseKey, ReusedFrom,
            Diagnostics?.ToDomain());
    }

    /// <summary>Added after 8457cc2 (that release kept the decided failure in memory only).</summary>
    public sealed record FailureDecided
    {
        public FailureContract Failure { get; init; } = new();
        public DateTimeOffset At { get; init; }
        public static FailureDecided From(E.FailureDecided e) => new() { Failure = FailureContract.From(e.Failure), At = e.At };
        public E.FailureDecided ToDomain() => new((Failure ?? new()).ToDomain(), At);
    }

    public sealed record Failed
    {
        public FailureContract Failure { get; init; } = new();
        public string? ArtifactDirectory { get; init; }
        public DateTimeOffset At { get; init; }
        /// <summary>What the failed job published (its log, reproducer…); absent before the record named it (8457cc2).</summary>
        public IReadOnlyList<ArtifactContract>? Artifacts { get; init; }
        /// <summary>Added with per-build diagnostics: null in older journals.</summary>
        public DiagnosticsContract? Diagnostics { get; init; }
        public static Failed From(E.Failed e) => new()
        {
            Failure = FailureContract.From(e.Failure), ArtifactDirectory = e.ArtifactDirectory, At = e.At,
            Artifacts = e.Artifacts?.Select(ArtifactContract.From).ToList(), Diagnostics = DiagnosticsContract.From(e.Diagnostics),
        };
        public E.Failed ToDomain() => new((Failure ?? new()).ToDomain(), ArtifactDirectory, At, Artifacts?.Select(a => a.ToDomain()).ToList(),
            Diagnostics?.ToDomain());
    }

    /// <summary>A build log's warning and error counts (job-completed, job-failed).</summary>
    public sealed record DiagnosticsContract
    {
        public int Warnings { get; init; }
        public int Errors { get; init; }
        public static DiagnosticsContract? From(BuildDiagnostics? d) => d is null ? null : new() { Warnings = d.Warnings, Errors = d.Errors };
        public BuildDiagnostics ToDomain() => new(Warnings, Errors);
    }

    public sealed record CancelRequested
    {
        public DateTimeOffset At { get; init; }
        public static CancelRequested From(E.CancelRequested e) => new() { At = e.At };
        public E.CancelRequested ToDomain() => new(At);
    }

    public sealed record AttemptFailed
    {
        public int Attempt { get; init; } = 1;
        public string ServerId { get; init; } = "";
        public FailureContract Failure { get; init; } = new();
        public DateTimeOffset NotBefore { get; init; }
        public DateTimeOffset At { get; init; }
        public static AttemptFailed From(E.AttemptFailed e) =>
            new() { Attempt = e.Attempt, ServerId = e.ServerId, Failure = FailureContract.From(e.Failure), NotBefore = e.NotBefore, At = e.At };
        public E.AttemptFailed ToDomain() => new(Attempt, ServerId, (Failure ?? new()).ToDomain(), NotBefore, At);
    }

    public sealed record Cancelled
    {
        public DateTimeOffset At { get; init; }
        public static Cancelled From(E.Cancelled e) => new() { At = e.At };
        public E.Cancelled ToDomain() => new(At);
    }

    /// <summary>"at" repeats the delivery's time (the domain event exposes it; 8457cc2 wrote it).</summary>
    public sealed record WebhookDone
    {
        public WebhookDeliveryContract Delivery { get; init; } = new();
        public DateTimeOffset At { get; init; }
        public static WebhookDone From(E.WebhookDone e) => new() { Delivery = WebhookDeliveryContract.From(e.Delivery), At = e.At };
        public E.WebhookDone ToDomain() => new((Delivery ?? new()).ToDomain());
    }

    public sealed record KcidbDelivered
    {
        public WebhookDeliveryContract Delivery { get; init; } = new();
        public static KcidbDelivered From(E.KcidbDelivered e) => new() { Delivery = WebhookDeliveryContract.From(e.Delivery) };
        public E.KcidbDelivered ToDomain() => new((Delivery ?? new()).ToDomain());
    }
}
