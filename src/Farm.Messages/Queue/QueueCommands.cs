using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Queue;

public static class QueueCommands
{
    public sealed record Submit(string JobId, BuildJobRequest Request, string? IdempotencyKey) : IFarmMessage;

    /// <summary>From the pool: a slot freed or a server joined; try to place waiting jobs.</summary>
    public sealed record CapacityChanged : IFarmMessage
    {
        public static readonly CapacityChanged Instance = new();
    }

    /// <summary>From a job whose attempt failed for an infrastructure reason. Idempotent per attempt.</summary>
    public sealed record Requeue(string JobId, BuildJobRequest Request, int Attempt, IReadOnlyList<string> AvoidServers, DateTimeOffset NotBefore) : IFarmMessage;

    /// <summary>Coordinated shutdown of the node hosting the queue: place nothing more.</summary>
    public sealed record PauseDispatch : IFarmMessage
    {
        public static readonly PauseDispatch Instance = new();
    }

    /// <summary>
    /// From a job actor that has no Created event yet but was asked about itself: a client was
    /// answered 202 once the queue persisted the submission, so its GET or cancel may arrive before
    /// the queue's Create does. The queue answers <see cref="QueueReplies.Recalled"/>.
    /// </summary>
    public sealed record Recall(string JobId) : IFarmMessage;

    /// <summary>
    /// From a gateway about an id no job index knows yet: does the queue hold it (waiting or being
    /// handed to its server)? Answered with <see cref="QueueReplies.Known"/>; touches no job actor.
    /// </summary>
    public sealed record IsKnown(string JobId) : IFarmMessage;

    /// <summary>From a job cancelled while waiting.</summary>
    public sealed record Withdraw(string JobId) : IFarmMessage;

    public sealed record GetStats : IFarmMessage
    {
        public static readonly GetStats Instance = new();
    }
}

public static class QueueReplies
{
    public sealed record Accepted(JobRecord Job, bool Existing) : IFarmMessage;

    /// <summary>
    /// The submission the queue holds for a job whose actor does not exist yet (what its Create
    /// carries), or Request null: the queue accepted no such job, or it was created already.
    /// </summary>
    public sealed record Recalled(string JobId, BuildJobRequest? Request, DateTimeOffset At) : IFarmMessage;

    public sealed record QueueFull(int MaxQueueSize, int RetryAfterSeconds) : IFarmMessage;

    public sealed record Known(string JobId, bool Exists) : IFarmMessage;

    /// <summary>The retry is recorded (or was already): the job stops re-sending its Requeue.</summary>
    public sealed record Requeued(string JobId, int Attempt) : IFarmMessage;

    public sealed record Stats(int Waiting, int Dispatching, long Accepted) : IFarmMessage;

    public sealed record Paused : IFarmMessage
    {
        public static readonly Paused Instance = new();
    }
}

/// <summary>Persisted by the queue (QueueActor); QueueState.Apply takes nothing else.</summary>
public interface IQueueEvent : IFarmMessage;

public static class QueueEvents
{
    public sealed record JobQueued(string JobId, BuildJobRequest Request, string? IdempotencyKey, long Sequence, DateTimeOffset At) : IQueueEvent;

    public sealed record JobDispatched(Placement Placement, int Attempt) : IQueueEvent;

    public sealed record JobRequeued(string JobId, BuildJobRequest Request, int Attempt, IReadOnlyList<string> AvoidServers,
        DateTimeOffset NotBefore, long Sequence) : IQueueEvent;

    /// <summary>The job actor acknowledged its Start; the queue forgets the job.</summary>
    public sealed record JobHandedOver(string JobId) : IQueueEvent;

    public sealed record JobWithdrawn(string JobId) : IQueueEvent;
}
