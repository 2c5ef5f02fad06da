using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs;

/// <summary>A job's state as a value: the actor decides and persists, then applies (testable without actors).</summary>
public sealed record JobState
{
    public static readonly JobState Empty = new();

    public string Id { get; init; } = "";
    public BuildJobRequest? Request { get; init; }
    public JobStatus Status { get; init; } = JobStatus.Queued;
    public Placement? Placement { get; init; }
    public string? Workspace { get; init; }
    public int Attempt { get; init; }
    public int? ProcessGroup { get; init; }
    public DateTimeOffset? LaunchedAt { get; init; }
    public long LogBase { get; init; }
    public bool CancelRequested { get; init; }
    public IReadOnlyList<StatusTransition> Transitions { get; init; } = [];
    public string? ArtifactDirectory { get; init; }
    public IReadOnlyList<ArtifactEntry> Artifacts { get; init; } = [];
    public JobFailure? Failure { get; init; }
    /// <summary>A failure decided but not yet recorded by <see cref="Failed"/>: the build is being stopped and its log
    /// published. The job's status stays as it was until then; a restart finishes this failure (docs/execution.md).</summary>
    public JobFailure? PendingFailure { get; init; }
    public BootResult? Boot { get; init; }
    /// <summary>The completed build's inputs as one key (<see cref="Reuse.ReuseKey"/>): the index finds it for a later identical job.</summary>
    public string? ReuseKey { get; init; }
    /// <summary>The completed job whose result this one took instead of building.</summary>
    public string? ReusedFrom { get; init; }
    /// <summary>The build log's warnings and errors, counted when the job ended (null before, or in older journals).</summary>
    public BuildDiagnostics? Diagnostics { get; init; }
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries { get; init; } = [];
    /// <summary>The ended build's push to KCIDB, once delivered or given up on: it is not pushed again.</summary>
    public WebhookDelivery? KcidbDelivery { get; init; }
    /// <summary>Set while a retry waits in the queue: when it may start.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool Exists => Request is not null;

    /// <summary>A job as its Created event makes it: what the queue answers a submission with.</summary>
    public static JobState Queued(string jobId, BuildJobRequest request, DateTimeOffset at) => Empty.Apply(new Created(jobId, request, at));

    public JobState Apply(IJobEvent e) => e switch
    {
        Created c => this with
        {
            Id = c.JobId, Request = c.Request, Status = JobStatus.Queued, CreatedAt = c.At,
            Transitions = [new StatusTransition(JobStatus.Queued, c.At)],
        },
        Assigned a => Move(JobStatus.Assigned, a.At) with
        {
            Placement = a.Placement, Workspace = a.Workspace, Attempt = a.Attempt, ProcessGroup = null, LaunchedAt = null, RetryNotBefore = null, Boot = null, PendingFailure = null,
            Attempts = [.. Attempts, new AttemptRecord(a.Attempt, a.Placement.Server.Id, a.At, null, null)],
        },
        AttemptFailed f => Move(JobStatus.Queued, f.At) with
        {
            Placement = null, Workspace = null, ProcessGroup = null, RetryNotBefore = f.NotBefore, PendingFailure = null,
            Attempts = CloseAttempt(f.At, f.Failure),
        },
        StepStarted s => Move(s.Status, s.At),
        BootTested b => this with { Boot = b.Result, UpdatedAt = b.At },
        Launched l => this with { ProcessGroup = l.ProcessGroup, LaunchedAt = l.At, LogBase = l.LogBase, UpdatedAt = l.At },
        FailureDecided d => this with { PendingFailure = d.Failure, UpdatedAt = d.At },
        Completed c => Move(JobStatus.Completed, c.At) with
        {
            ArtifactDirectory = c.ArtifactDirectory, Artifacts = c.Artifacts, Attempts = CloseAttempt(c.At, null), ReuseKey = c.ReuseKey, ReusedFrom = c.ReusedFrom,
            Diagnostics = c.Diagnostics,
        },
        Failed f => Move(JobStatus.Failed, f.At) with { Failure = f.Failure, PendingFailure = null, ArtifactDirectory = f.ArtifactDirectory, Artifacts = f.Artifacts ?? [], Attempts = CloseAttempt(f.At, f.Failure), Diagnostics = f.Diagnostics },
        CancelRequested r => this with { CancelRequested = true, UpdatedAt = r.At },
        Cancelled c => Move(JobStatus.Cancelled, c.At) with { PendingFailure = null, Attempts = CloseAttempt(c.At, null) },
        WebhookDone w => this with { WebhookDeliveries = [.. WebhookDeliveries.Where(d => d.Index != w.Delivery.Index), w.Delivery] },
        KcidbDelivered k => this with { KcidbDelivery = k.Delivery },
        _ => this,
    };

    /// <summary>Servers earlier attempts failed on: a retry goes elsewhere when it can.</summary>
    public IReadOnlyList<string> FailedServers => Attempts.Where(a => a.Failure is not null).Select(a => a.ServerId).Distinct().ToList();

    private IReadOnlyList<AttemptRecord> CloseAttempt(DateTimeOffset at, JobFailure? failure) =>
        Attempts.Count > 0 && Attempts[^1].EndedAt is null
            ? [.. Attempts.Take(Attempts.Count - 1), Attempts[^1] with { EndedAt = at, Failure = failure }]
            : Attempts;

    private JobState Move(JobStatus status, DateTimeOffset at) => this with
    {
        Status = status, UpdatedAt = at, Transitions = [.. Transitions, new StatusTransition(status, at)],
    };

    public JobRecord ToRecord(string? logPath) => new()
    {
        Id = Id,
        Request = Request ?? new BuildJobRequest(),
        Status = Status,
        ServerId = Placement?.Server.Id,
        Toolchain = Placement?.Toolchain.Name ?? (ReusedFrom is null ? null : Request?.Toolchain),
        Transitions = Transitions,
        LogPath = logPath,
        ArtifactDirectory = ArtifactDirectory,
        Artifacts = Artifacts,
        Failure = Failure,
        Boot = Boot,
        Attempts = Attempts,
        ReusedFrom = ReusedFrom,
        Warnings = Diagnostics?.Warnings,
        Errors = Diagnostics?.Errors,
        WebhookDeliveries = WebhookDeliveries,
        KcidbDelivery = KcidbDelivery,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt == default ? CreatedAt : UpdatedAt,
    };
}
