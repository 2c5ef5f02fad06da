using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Queue;

/// <summary>
/// The queue's state at a sequence number (saved every Farm:SnapshotEvery events): what recovery
/// starts from instead of the whole history. Carries only what survives a restart: waiting jobs,
/// jobs being handed over, idempotency keys, the last queue sequence and the count of accepted jobs.
/// </summary>
public sealed record QueueSnapshot(
    IReadOnlyList<WaitingJobSnapshot> Waiting,
    IReadOnlyList<QueueEvents.JobDispatched> Dispatched,
    IReadOnlyList<IdempotencyKeySnapshot> IdempotencyKeys,
    long LastSequence,
    long Accepted) : IFarmMessage;

/// <summary>A waiting job (first attempt or retry) with its place in the queue (Sequence; the priority is the request's).</summary>
public sealed record WaitingJobSnapshot(string JobId, BuildJobRequest Request, int Attempt, IReadOnlyList<string> AvoidServers,
    DateTimeOffset NotBefore, DateTimeOffset QueuedAt, long Sequence);

/// <summary>An Idempotency-Key as the token that sent it (Owner null: no token), and the job it named.</summary>
public sealed record IdempotencyKeySnapshot(string? Owner, string Key, string JobId);
