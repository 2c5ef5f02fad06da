using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// What the job process reacts to besides the job's commands (<see cref="KernelFarm.Messages.Jobs.BuildJobCommands"/>)
/// and its children's reports (log stream, transfer, webhook sender), which it takes as they are.
/// </summary>
public static class JobInputs
{
    /// <summary>Recovery from the journal is complete: re-attach to whatever the job was doing.</summary>
    public sealed record Recovered;

    public sealed record RemoteAnswered(RemoteCall Call, int Attempt, CommandResult Result);

    /// <summary>The launch's answer, with the central log's length then (where this attempt's log starts).</summary>
    public sealed record LaunchAnswered(int Attempt, CommandResult Result, long LiveLogLength);

    public sealed record RemoteFailed(RemoteCall Call, int Attempt, string Error);

    public sealed record TimerFired(JobTimer Timer);

    /// <summary>The reuse lookup's answer: the newest completed job with one of the job's reuse keys (and that key), or none.</summary>
    public sealed record ResultLookedUp(JobState? Source, string? Key, string? Error = null);

    /// <summary>The source's result is published as this job's folder.</summary>
    public sealed record ResultCopied(string SourceId, string Key, string Directory, IReadOnlyList<KernelFarm.Messages.Jobs.ArtifactEntry> Artifacts,
        KernelFarm.Messages.Jobs.BootResult? Boot, KernelFarm.Messages.Jobs.BuildDiagnostics? Diagnostics = null);

    public sealed record ResultCopyFailed(string Error);

    /// <summary>Nothing arrived for a while (the receive timeout).</summary>
    public sealed record Idle;
}
