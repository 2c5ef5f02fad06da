using Akka.Actor;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>What the pool actor carries out for a decision, after the decision's events are stored.</summary>
public abstract record PoolEffect
{
    public sealed record Reply(IActorRef To, object Message) : PoolEffect;
    /// <summary>To the queue: capacity changed.</summary>
    public sealed record ToQueue(object Message) : PoolEffect;
    /// <summary>Probe the server over SSH; the result comes back as a command (wrapped as Reason says).</summary>
    public sealed record Probe(BuildServer Server, PoolSignals.ProbeReason Reason, IActorRef? ReplyTo = null) : PoolEffect;
    public sealed record StartProbing(TimeSpan Interval) : PoolEffect;
    public sealed record Log(Akka.Event.LogLevel Level, string Message) : PoolEffect;
}
