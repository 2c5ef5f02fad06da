using System.Collections.Immutable;
using Akka.Actor;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// What one incarnation of the queue keeps beside its persisted <see cref="QueueState"/>, as a value:
/// lost on a restart or hand-over by design (the next incarnation re-sends what it cannot know was
/// received, and job actors treat duplicates as no-ops).
/// </summary>
public sealed record QueueSession
{
    public static readonly QueueSession Fresh = new();

    /// <summary>First attempts whose actor confirmed its Create to this incarnation.</summary>
    public ImmutableHashSet<string> Created { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    /// <summary>When Create or Start was last sent for a job not yet handed over.</summary>
    public ImmutableDictionary<string, DateTimeOffset> LastSent { get; init; } = ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal);
    /// <summary>
    /// Waiting first attempts whose Create this incarnation has not seen confirmed, in queue order:
    /// what redelivery re-sends, so a tick does not scan every waiting job. Entries that stopped
    /// waiting are dropped when a tick meets them.
    /// </summary>
    public ImmutableSortedSet<QueueKey> Unconfirmed { get; init; } = ImmutableSortedSet<QueueKey>.Empty;
    /// <summary>Submissions whose JobQueued is being persisted (they count against the queue's size).</summary>
    public int Persisting { get; init; }
    /// <summary>Idempotency keys of submissions being persisted: later submissions with the key wait for the first.</summary>
    public ImmutableDictionary<IdempotencyScope, ImmutableList<(IActorRef Client, BuildJobRequest Request)>> PersistingKeys { get; init; } =
        ImmutableDictionary<IdempotencyScope, ImmutableList<(IActorRef Client, BuildJobRequest Request)>>.Empty;
    /// <summary>The last queue sequence number handed out, persisted or not.</summary>
    public long LastSequence { get; init; }
    /// <summary>A placement request is out; a dispatch asked for meanwhile (Dirty) follows its answer.</summary>
    public bool Placing { get; init; }
    public bool Dirty { get; init; }
    /// <summary>Coordinated shutdown paused dispatch: nothing more is placed by this incarnation.</summary>
    public bool Paused { get; init; }

    public QueueSession Forget(string jobId) => this with { Created = Created.Remove(jobId), LastSent = LastSent.Remove(jobId) };
}
