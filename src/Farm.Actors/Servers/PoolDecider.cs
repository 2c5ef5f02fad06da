using Akka.Actor;
using Akka.Event;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Servers.PoolEffect;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// What the pool stores, answers and does, as a pure function of its persisted state, its probe
/// findings and the command: ServerPoolActor only stores, applies and carries out the effects.
/// Effects are computed against the state the events lead to (<see cref="PoolState.Apply"/> is pure).
/// </summary>
public static class PoolDecider
{
    /// <param name="probeInterval">Zero turns the periodic probe off (simulated servers in the benchmark).</param>
    public static PoolDecision Decide(PoolState state, PoolObservations seen, object command, IActorRef sender, DateTimeOffset now, TimeSpan probeInterval)
    {
        switch (command)
        {
            case PoolSignals.Recovered:
                return new([], seen, probeInterval > TimeSpan.Zero
                    ? [new StartProbing(probeInterval), new ToQueue(QueueCommands.CapacityChanged.Instance)]
                    : [new ToQueue(QueueCommands.CapacityChanged.Instance)]);
            case ServerPoolCommands.Register r:
            {
                var errors = ServerValidator.Validate(r.Server, ArchitectureCatalog.Default);
                if (errors.Count > 0) return Answer(seen, sender, new ServerPoolReplies.Rejected(errors[0].Field, errors[0].Message));
                if (state.Servers.ContainsKey(r.Server.Id) || seen.Registering.Contains(r.Server.Id))
                    return Answer(seen, sender, new ServerPoolReplies.Rejected("id", $"a build server with id {r.Server.Id} is already registered", Conflict: true));
                return new([], seen with { Registering = seen.Registering.Add(r.Server.Id) }, [new Probe(r.Server, PoolSignals.ProbeReason.Registration, sender)]);
            }
            case PoolSignals.RegistrationProbed p:
            {
                seen = seen with { Registering = seen.Registering.Remove(p.Server.Id) };
                if (!p.Probe.Ok)
                    return new([], seen,
                    [
                        new Log(LogLevel.WarningLevel, $"refused build server {p.Server.Id}: {p.Probe.Error}"),
                        new Reply(p.ReplyTo, p.Probe.HostKeyMismatch
                            ? new ServerPoolReplies.Rejected("ssh_host_key_fingerprint", p.Probe.Error!)
                            : new ServerPoolReplies.Rejected("ip_address", $"cannot reach the server over SSH: {p.Probe.Error}", Unreachable: true)),
                    ]);
                var registered = new ServerRegistered(p.Server, now);
                var (learned, notes) = seen.Learn(p.Server, p.Probe);
                learned = learned with { Health = learned.Health.SetItem(p.Server.Id, new ServerHealth(HealthStatus.Healthy, p.Probe.At)) };
                return new([registered], learned,
                [
                    .. notes.Select(n => new Log(n.Level, n.Message)),
                    new Log(LogLevel.InfoLevel, $"registered build server {p.Server.Id} ({p.Server.IpAddress}:{p.Server.SshPort})"),
                    new Reply(p.ReplyTo, new ServerPoolReplies.Registered(learned.View(state.Apply(registered), p.Server.Id))),
                    new ToQueue(QueueCommands.CapacityChanged.Instance),
                ]);
            }
            case ServerPoolCommands.Remove r:
            {
                if (!state.Servers.ContainsKey(r.ServerId)) return Answer(seen, sender, new ServerPoolReplies.NotFound(r.ServerId));
                var jobs = state.JobsOn(r.ServerId);
                if (jobs.Count > 0) return Answer(seen, sender, new ServerPoolReplies.Busy(r.ServerId, jobs));
                return new([new ServerRemoved(r.ServerId, now)], seen.Forget(r.ServerId), [new Reply(sender, new ServerPoolReplies.Removed(r.ServerId))]);
            }
            case ServerPoolCommands.Drain d:
            {
                if (!state.Servers.ContainsKey(d.ServerId)) return Answer(seen, sender, new ServerPoolReplies.NotFound(d.ServerId));
                var changed = new DrainChanged(d.ServerId, d.Draining, now);
                List<PoolEffect> effects =
                [
                    new Log(LogLevel.InfoLevel, $"build server {d.ServerId} {(d.Draining ? "is draining" : "takes jobs again")}"),
                    new Reply(sender, new ServerPoolReplies.ServerDetails(seen.View(state.Apply(changed), d.ServerId))),
                ];
                if (!d.Draining) effects.Add(new ToQueue(QueueCommands.CapacityChanged.Instance));
                return new([changed], seen, effects);
            }
            case ServerPoolCommands.Get g:
                return Answer(seen, sender, state.Servers.ContainsKey(g.ServerId)
                    ? new ServerPoolReplies.ServerDetails(seen.View(state, g.ServerId))
                    : new ServerPoolReplies.NotFound(g.ServerId));
            case ServerPoolCommands.List:
                return Answer(seen, sender, new ServerPoolReplies.ServerList(state.Servers.Keys.Order(StringComparer.Ordinal).Select(id => seen.View(state, id)).ToList()));
            case ServerPoolCommands.CheckFeasible c:
            {
                var problem = PlacementStrategy.Infeasibility(state.Servers.Values.Select(s => s.Server),
                    new JobRequirements(c.Architecture, c.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage));
                return Answer(seen, sender, new ServerPoolReplies.Feasibility(problem is null, problem?.Field, problem?.Reason));
            }
            case ServerPoolCommands.Compilers c:
            {
                var job = new JobRequirements(c.Architecture, c.Toolchain, c.WorkspaceRoot, c.BuildDirectory);
                var identities = state.Servers.Values
                    .Select(s => ContainerPlacement.Offer(s.Server, job) is { ContainerImage: null } offer
                        ? ToolchainDetection.IdentityFor(offer.Toolchain, seen.Detected.GetValueOrDefault(s.Server.Id)) : null)
                    .OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
                return Answer(seen, sender, new ServerPoolReplies.CompilerIdentities(identities));
            }
            case ServerPoolCommands.Place p:
            {
                var (all, placed) = state.Place(p.Requests, seen.IsHealthy, id => seen.CachedRepositories.GetValueOrDefault(id));
                // the exact compiler each fresh placement will run, as the last probe found it (the job's reuse key)
                var fresh = placed.Select(f => f.ContainerImage is null && f.Compiler is null
                    ? f with { Compiler = ToolchainDetection.IdentityFor(f.Toolchain, seen.Detected.GetValueOrDefault(f.Server.Id)) } : f).ToList();
                var byJob = fresh.ToDictionary(f => f.JobId, StringComparer.Ordinal);
                var placements = all.Select(a => byJob.GetValueOrDefault(a.JobId) ?? a).ToList();
                var reply = new Reply(sender, new ServerPoolReplies.Placed(placements));
                return fresh.Count == 0 ? new([], seen, [reply]) : new([new SlotsReserved(fresh)], seen.ExpectMirrors(fresh, p.Requests, now), [reply]);
            }
            case ServerPoolCommands.Release r:
            {
                var ack = new Reply(sender, new ServerPoolReplies.Released(r.JobId, r.ServerId));
                return state.Reservations.TryGetValue(r.JobId, out var held) && (r.ServerId is null || held.Server.Id == r.ServerId)
                    ? new([new SlotReleased(r.JobId)], seen, [ack, new ToQueue(QueueCommands.CapacityChanged.Instance)])
                    : new([], seen, [ack]); // already released: the job re-sent it
            }
            case PoolSignals.ProbeAll:
                return new([], seen, state.Servers.Values.Select(s => (PoolEffect)new Probe(s.Server, PoolSignals.ProbeReason.Periodic)).ToList());
            case ServerPoolCommands.Probe p:
                return state.Servers.TryGetValue(p.ServerId, out var probed)
                    ? new([], seen, [new Probe(probed.Server, PoolSignals.ProbeReason.Request, sender)])
                    : Answer(seen, sender, new ServerPoolReplies.NotFound(p.ServerId));
            case ServerProbe.Result r:
                return Probed(state, seen, r, []);
            case PoolSignals.ProbedOnRequest p:
            {
                var d = Probed(state, seen, p.Probe, []);
                return d with
                {
                    Effects = [.. d.Effects, new Reply(p.ReplyTo, state.Servers.ContainsKey(p.Probe.ServerId)
                        ? new ServerPoolReplies.ServerDetails(d.Observations.View(state, p.Probe.ServerId))
                        : new ServerPoolReplies.NotFound(p.Probe.ServerId))],
                };
            }
            default:
                return new([], seen, []);
        }
    }

    private static PoolDecision Answer(PoolObservations seen, IActorRef to, object reply) => new([], seen, [new Reply(to, reply)]);

    private static PoolDecision Probed(PoolState state, PoolObservations seen, ServerProbe.Result r, List<PoolEffect> effects)
    {
        if (!state.Servers.TryGetValue(r.ServerId, out var s)) return new([], seen, effects);
        var was = seen.Health.GetValueOrDefault(r.ServerId)?.Status;
        var now = r.Ok ? HealthStatus.Healthy : HealthStatus.Unhealthy;
        var (next, notes) = seen.Learn(s.Server, r);
        effects.AddRange(notes.Select(n => new Log(n.Level, n.Message)));
        if (was != now) effects.Add(new Log(LogLevel.InfoLevel, $"build server {r.ServerId} is {now}{(r.Error is null ? "" : $": {r.Error}")}"));
        if (now == HealthStatus.Healthy && was != HealthStatus.Healthy) effects.Add(new ToQueue(QueueCommands.CapacityChanged.Instance));
        return new([], next, effects);
    }
}

/// <summary>The events to store, the probe findings that follow, and the effects to carry out once the events are stored.</summary>
public sealed record PoolDecision(IReadOnlyList<IPoolEvent> Events, PoolObservations Observations, IReadOnlyList<PoolEffect> Effects);
