using Akka.Actor;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>The pool's own inputs beside its commands: probe results, the probe timer and recovery.</summary>
public static class PoolSignals
{
    public enum ProbeReason { Periodic, Registration, Request }

    public sealed record ProbeAll
    {
        public static readonly ProbeAll Instance = new();
    }

    public sealed record RegistrationProbed(BuildServer Server, ServerProbe.Result Probe, IActorRef ReplyTo);

    public sealed record ProbedOnRequest(ServerProbe.Result Probe, IActorRef ReplyTo);

    public sealed record Recovered
    {
        public static readonly Recovered Instance = new();
    }
}
