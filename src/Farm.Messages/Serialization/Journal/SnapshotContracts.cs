using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// The journal contracts of the queue's and the pool's snapshots. A snapshot replaces the events it
/// covers (they are deleted), so it must read across releases exactly as events do: own contracts,
/// tolerant reading, a new manifest when a shape changes.
/// </summary>
public static class SnapshotContracts
{
    public sealed record Queue
    {
        public IReadOnlyList<WaitingJob>? Waiting { get; init; }
        public IReadOnlyList<QueueEventContracts.JobDispatched>? Dispatched { get; init; }
        public IReadOnlyList<IdempotencyKey>? IdempotencyKeys { get; init; }
        public long LastSequence { get; init; }
        public long Accepted { get; init; }

        public static Queue From(QueueSnapshot s) => new()
        {
            Waiting = s.Waiting.Select(WaitingJob.From).ToList(),
            Dispatched = s.Dispatched.Select(QueueEventContracts.JobDispatched.From).ToList(),
            IdempotencyKeys = s.IdempotencyKeys.Select(IdempotencyKey.From).ToList(),
            LastSequence = s.LastSequence,
            Accepted = s.Accepted,
        };

        public QueueSnapshot ToDomain() => new(
            (Waiting ?? []).Select(w => w.ToDomain()).ToList(),
            (Dispatched ?? []).Select(d => d.ToDomain()).ToList(),
            (IdempotencyKeys ?? []).Select(k => k.ToDomain()).ToList(),
            LastSequence, Accepted);
    }

    public sealed record WaitingJob
    {
        public string JobId { get; init; } = "";
        public RequestContract Request { get; init; } = new();
        public int Attempt { get; init; } = 1;
        public IReadOnlyList<string>? AvoidServers { get; init; }
        public DateTimeOffset NotBefore { get; init; }
        public DateTimeOffset QueuedAt { get; init; }
        public long Sequence { get; init; }

        public static WaitingJob From(WaitingJobSnapshot w) => new()
        {
            JobId = w.JobId, Request = RequestContract.From(w.Request), Attempt = w.Attempt, AvoidServers = w.AvoidServers,
            NotBefore = w.NotBefore, QueuedAt = w.QueuedAt, Sequence = w.Sequence,
        };

        public WaitingJobSnapshot ToDomain() =>
            new(JobId, (Request ?? new()).ToDomain(), Attempt, AvoidServers ?? [], NotBefore, QueuedAt, Sequence);
    }

    public sealed record IdempotencyKey
    {
        public string? Owner { get; init; }
        public string Key { get; init; } = "";
        public string JobId { get; init; } = "";
        public static IdempotencyKey From(IdempotencyKeySnapshot k) => new() { Owner = k.Owner, Key = k.Key, JobId = k.JobId };
        public IdempotencyKeySnapshot ToDomain() => new(Owner, Key, JobId);
    }

    public sealed record Pool
    {
        public IReadOnlyList<RegisteredServer>? Servers { get; init; }
        public IReadOnlyList<string>? Draining { get; init; }
        public IReadOnlyList<PlacementContract>? Reservations { get; init; }

        public static Pool From(PoolSnapshot s) => new()
        {
            Servers = s.Servers.Select(RegisteredServer.From).ToList(),
            Draining = s.Draining,
            Reservations = s.Reservations.Select(PlacementContract.From).ToList(),
        };

        public PoolSnapshot ToDomain() => new(
            (Servers ?? []).Select(r => r.ToDomain()).ToList(), Draining ?? [], (Reservations ?? []).Select(p => p.ToDomain()).ToList());
    }

    public sealed record RegisteredServer
    {
        public ServerContract Server { get; init; } = new();
        public DateTimeOffset RegisteredAt { get; init; }
        public static RegisteredServer From(RegisteredServerSnapshot r) => new() { Server = ServerContract.From(r.Server), RegisteredAt = r.RegisteredAt };
        public RegisteredServerSnapshot ToDomain() => new((Server ?? new()).ToDomain(), RegisteredAt);
    }
}
