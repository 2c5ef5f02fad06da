using E = KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>The journal shapes of <see cref="Queue.QueueEvents"/> (version 1: the shapes release 8457cc2 wrote).</summary>
public static class QueueEventContracts
{
    public sealed record JobQueued
    {
        public string JobId { get; init; } = "";
        public RequestContract Request { get; init; } = new();
        public string? IdempotencyKey { get; init; }
        public long Sequence { get; init; }
        public DateTimeOffset At { get; init; }
        public static JobQueued From(E.JobQueued e) =>
            new() { JobId = e.JobId, Request = RequestContract.From(e.Request), IdempotencyKey = e.IdempotencyKey, Sequence = e.Sequence, At = e.At };
        public E.JobQueued ToDomain() => new(JobId, (Request ?? new()).ToDomain(), IdempotencyKey, Sequence, At);
    }

    public sealed record JobDispatched
    {
        public PlacementContract Placement { get; init; } = new();
        public int Attempt { get; init; } = 1;
        public static JobDispatched From(E.JobDispatched e) => new() { Placement = PlacementContract.From(e.Placement), Attempt = e.Attempt };
        public E.JobDispatched ToDomain() => new((Placement ?? new()).ToDomain(), Attempt);
    }

    public sealed record JobRequeued
    {
        public string JobId { get; init; } = "";
        public RequestContract Request { get; init; } = new();
        public int Attempt { get; init; } = 1;
        public IReadOnlyList<string>? AvoidServers { get; init; }
        public DateTimeOffset NotBefore { get; init; }
        public long Sequence { get; init; }
        public static JobRequeued From(E.JobRequeued e) => new()
        {
            JobId = e.JobId, Request = RequestContract.From(e.Request), Attempt = e.Attempt, AvoidServers = e.AvoidServers,
            NotBefore = e.NotBefore, Sequence = e.Sequence,
        };
        public E.JobRequeued ToDomain() => new(JobId, (Request ?? new()).ToDomain(), Attempt, AvoidServers ?? [], NotBefore, Sequence);
    }

    public sealed record JobHandedOver
    {
        public string JobId { get; init; } = "";
        public static JobHandedOver From(E.JobHandedOver e) => new() { JobId = e.JobId };
        public E.JobHandedOver ToDomain() => new(JobId);
    }

    public sealed record JobWithdrawn
    {
        public string JobId { get; init; } = "";
        public static JobWithdrawn From(E.JobWithdrawn e) => new() { JobId = e.JobId };
        public E.JobWithdrawn ToDomain() => new(JobId);
    }
}
