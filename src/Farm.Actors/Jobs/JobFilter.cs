using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Which jobs a list shows: by status, by the server of the latest attempt, by architecture and by
/// submission time (Since inclusive, Until exclusive). Null fields do not filter.
/// </summary>
public sealed record JobFilter(
    JobStatus? Status = null,
    string? Server = null,
    string? Architecture = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null)
{
    public static readonly JobFilter All = new();

    public bool Matches(JobState job) =>
        job.Exists
        && (Status is null || job.Status == Status)
        && (Server is null || string.Equals(job.Placement?.Server.Id, Server, StringComparison.Ordinal))
        && (Architecture is null || string.Equals(job.Request!.TargetArchitecture, Architecture, StringComparison.OrdinalIgnoreCase))
        && (Since is null || job.CreatedAt >= Since)
        && (Until is null || job.CreatedAt < Until);
}
