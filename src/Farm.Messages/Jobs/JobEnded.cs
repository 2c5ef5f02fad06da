namespace KernelFarm.Messages.Jobs;

/// <summary>
/// Published by a job's actor on the cluster's <see cref="Topic"/> when the job reaches a final state,
/// so a plan hears of it at once instead of at its next poll. Best effort: a plan still polls.
/// </summary>
public sealed record JobEnded(string JobId, JobStatus Status) : IFarmMessage
{
    public const string Topic = "job-ended";
}
