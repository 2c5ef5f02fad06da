using Akka.Actor;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Queue;

/// <summary>What the queue actor carries out for a decision, after the decision's events are stored.</summary>
public abstract record QueueEffect
{
    public sealed record Reply(IActorRef To, object Message) : QueueEffect;
    /// <summary>To the job shard region: Create or Start.</summary>
    public sealed record ToJobs(object Message) : QueueEffect;
    /// <summary>A placement withdrawn meanwhile goes back to the pool.</summary>
    public sealed record ToPool(object Message) : QueueEffect;
    /// <summary>Ask the pool to place these; the answer (or its failure) comes back as a command.</summary>
    public sealed record AskPlacement(ServerPoolCommands.Place Place) : QueueEffect;
    public sealed record ScheduleDispatch(string TimerKey, TimeSpan Delay) : QueueEffect;
    public sealed record StartRedelivery(TimeSpan Interval) : QueueEffect;
    /// <summary>Decide a dispatch round next (after the events before it are stored).</summary>
    public sealed record DispatchAgain : QueueEffect
    {
        public static readonly DispatchAgain Instance = new();
    }
    public sealed record Log(Akka.Event.LogLevel Level, string Message) : QueueEffect;
}
