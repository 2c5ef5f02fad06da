using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Queue;

/// <summary>A job waiting for a slot: its first try, or a retry that avoids the servers it failed on.</summary>
public sealed record WaitingJob(string JobId, BuildJobRequest Request, int Attempt, IReadOnlyList<string> AvoidServers,
    DateTimeOffset NotBefore, DateTimeOffset QueuedAt, QueueKey Key);
