namespace KernelFarm.Messages.Jobs;

/// <summary>Persisted by BuildJobActor; every transition carries its time so step durations are known.</summary>
public static class BuildJobEvents
{
    public interface IJobEvent : IFarmMessage
    {
        DateTimeOffset At { get; }
    }

    public sealed record Created(string JobId, BuildJobRequest Request, DateTimeOffset At) : IJobEvent;

    /// <summary>Placed on a server; the workspace path is fixed here so a re-attach finds it.</summary>
    public sealed record Assigned(Placement Placement, string Workspace, int Attempt, DateTimeOffset At) : IJobEvent;

    /// <summary>preparing, configuring, building, collecting, transferring.</summary>
    public sealed record StepStarted(JobStatus Status, DateTimeOffset At) : IJobEvent;

    /// <summary>The detached build script runs with this process-group id.</summary>
    /// <summary>LogBase: the central log's length when this attempt started (earlier attempts' lines come before it).</summary>
    public sealed record Launched(int ProcessGroup, DateTimeOffset At, long LogBase = 0) : IJobEvent;

    /// <summary>The boot step's result, read from the workspace after the script ended (before the transfer).</summary>
    public sealed record BootTested(BootResult Result, DateTimeOffset At) : IJobEvent;

    /// <summary>
    /// A failure that ends the build was decided (a build step's exit code, the time limit, the log cap):
    /// recorded before the kill and the log's publication, so a restart in between finishes that
    /// failure instead of reading the killed build's exit status. <see cref="Failed"/> follows it.
    /// </summary>
    public sealed record FailureDecided(JobFailure Failure, DateTimeOffset At) : IJobEvent;

    /// <param name="ReuseKey">The build's inputs as one key (<c>ResultReuse</c>); null when the result may not be reused.</param>
    /// <param name="ReusedFrom">The completed job this job's result was taken from instead of building; null for a build.</param>
    /// <param name="Diagnostics">The log's warnings and errors; null in older journals.</param>
    public sealed record Completed(string ArtifactDirectory, IReadOnlyList<ArtifactEntry> Artifacts, DateTimeOffset At,
        string? ReuseKey = null, string? ReusedFrom = null, BuildDiagnostics? Diagnostics = null) : IJobEvent;

    /// <summary>Artifacts: what was published into ArtifactDirectory (the job's log, its reproducer): the
    /// record lists exactly this. Added later: null in older journals, read as nothing listed.</summary>
    public sealed record Failed(JobFailure Failure, string? ArtifactDirectory, DateTimeOffset At, IReadOnlyList<ArtifactEntry>? Artifacts = null,
        BuildDiagnostics? Diagnostics = null) : IJobEvent;

    public sealed record CancelRequested(DateTimeOffset At) : IJobEvent;

    /// <summary>An attempt failed for an infrastructure reason; the job goes back to the queue.</summary>
    public sealed record AttemptFailed(int Attempt, string ServerId, JobFailure Failure, DateTimeOffset NotBefore, DateTimeOffset At) : IJobEvent;

    public sealed record Cancelled(DateTimeOffset At) : IJobEvent;

    /// <summary>A webhook of an ended job was delivered or given up on; it is not called again.</summary>
    public sealed record WebhookDone(WebhookDelivery Delivery) : IJobEvent
    {
        public DateTimeOffset At => Delivery.At;
    }

    /// <summary>The ended build was pushed to the KCIDB submit URL, or given up on (docs/kcidb.md "Push"); it is not pushed again.
    /// The delivery's Index is 0 and its Url the submit URL.</summary>
    public sealed record KcidbDelivered(WebhookDelivery Delivery) : IJobEvent
    {
        public DateTimeOffset At => Delivery.At;
    }
}
