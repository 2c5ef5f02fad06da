using System.Collections.Immutable;
using Akka.Actor;

namespace KernelFarm.Actors.Jobs;

/// <summary>A command that arrived before the job's Created event and waits for the queue's Recall answer.</summary>
public sealed record RecallWaiter(bool Cancel, IActorRef ReplyTo);

/// <summary>
/// What one incarnation of a job's actor knows beyond the journal: lost on a restart, and rebuilt by
/// re-attaching (status check, log from its offset, re-sent releases). Immutable like <see cref="JobState"/>.
/// </summary>
public sealed record JobRun
{
    public static readonly JobRun Fresh = new();

    /// <summary>Re-attach tries since the last good status answer (each attempt has its own budget).</summary>
    public int StreamRetries { get; init; }
    /// <summary>The log was read to its end after the build's process group was gone.</summary>
    public bool Drained { get; init; }
    public bool Streaming { get; init; }
    /// <summary>A publication into storage is on its way; its end decides the job's final event.</summary>
    public bool Publishing { get; init; }
    /// <summary>Servers whose slot this job gave back but the pool has not acknowledged yet.</summary>
    public ImmutableHashSet<string> Unreleased { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    /// <summary>Webhooks (by index) being delivered right now.</summary>
    public ImmutableHashSet<int> Delivering { get; init; } = [];
    /// <summary>The ended build is being pushed to KCIDB right now.</summary>
    public bool Pushing { get; init; }
    public ImmutableList<RecallWaiter> AwaitingRecall { get; init; } = [];
    /// <summary>Looking for a completed build with the same inputs, or copying its result: the queue hears Created after it.</summary>
    public bool Reusing { get; init; }
    /// <summary>This incarnation looked for a result to reuse and found none it could take: the job builds.</summary>
    public bool ReuseChecked { get; init; }
}
