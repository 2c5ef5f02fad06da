using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// The registry of build servers: a persistent cluster singleton. Registers servers only after an
/// SSH probe with the pinned host key succeeds, accounts slots per job (idempotent), places jobs
/// with <see cref="PlacementStrategy"/>, and probes every server on an interval (health is not
/// persisted: it is re-learned within one interval after a restart).
/// </summary>
public sealed class ServerPoolActor : ReceivePersistentActor, IWithTimers
{
    private sealed record ProbeAll;
    private sealed record RegistrationProbed(BuildServer Server, ServerProbe.Result Probe, IActorRef ReplyTo);
    private sealed record ProbedOnRequest(ServerProbe.Result Probe, IActorRef ReplyTo);

    private readonly FarmSettings _settings;
    private readonly IActorRef _queue;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, ServerHealth> _health = new();
    /// <summary>Compilers the last successful probe found, per server (like health: re-learned after a restart).</summary>
    private readonly Dictionary<string, IReadOnlyList<DetectedToolchain>> _detected = new();
    /// <summary>The declared container runtime and images as the last successful probe found them (servers with a runtime only).</summary>
    private readonly Dictionary<string, DetectedContainers> _containers = new();
    /// <summary>The server's caches as the last successful probe found them (and evicted from).</summary>
    private readonly Dictionary<string, ServerCaches> _caches = new();
    /// <summary>The mirror names in each server's git cache (from <see cref="_caches"/>), as placement's cache affinity reads them.</summary>
    private readonly Dictionary<string, IReadOnlySet<string>> _cachedRepositories = new();
    /// <summary>Mirrors a placed job is filling, by server, with when it was placed: kept over probes that began before that.</summary>
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _expectedMirrors = new();
    private readonly HashSet<string> _registering = [];
    private PoolState _state = PoolState.Empty;

    public ServerPoolActor(FarmSettings settings, IActorRef queue)
    {
        _settings = settings;
        _queue = queue;

        Recover<ServerRegistered>(e => _state = _state.Apply(e));
        Recover<ServerRemoved>(e => _state = _state.Apply(e));
        Recover<SlotsReserved>(e => _state = _state.Apply(e));
        Recover<SlotReleased>(e => _state = _state.Apply(e));
        Recover<DrainChanged>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            // A ProbeInterval of zero turns the periodic probe off (simulated servers in the benchmark);
            // health then stays what registration and explicit probes found.
            if (_settings.ProbeInterval > TimeSpan.Zero)
                Timers.StartPeriodicTimer("probe", new ProbeAll(), TimeSpan.FromSeconds(1), _settings.ProbeInterval);
            _queue.Tell(QueueCommands.CapacityChanged.Instance);
        });

        Command<ServerPoolCommands.Register>(OnRegister);
        Command<RegistrationProbed>(OnRegistrationProbed);
        Command<ServerPoolCommands.Remove>(OnRemove);
        Command<ServerPoolCommands.Drain>(d =>
        {
            if (!_state.Servers.ContainsKey(d.ServerId)) { Sender.Tell(new ServerPoolReplies.NotFound(d.ServerId)); return; }
            var sender = Sender;
            Persist(new DrainChanged(d.ServerId, d.Draining, DateTimeOffset.UtcNow), e =>
            {
                _state = _state.Apply(e);
                _log.Info("build server {0} {1}", d.ServerId, d.Draining ? "is draining" : "takes jobs again");
                sender.Tell(new ServerPoolReplies.ServerDetails(View(d.ServerId)));
                if (!d.Draining) _queue.Tell(QueueCommands.CapacityChanged.Instance);
            });
        });
        Command<ServerPoolCommands.Get>(g => Sender.Tell(_state.Servers.ContainsKey(g.ServerId)
            ? new ServerPoolReplies.ServerDetails(View(g.ServerId))
            : new ServerPoolReplies.NotFound(g.ServerId)));
        Command<ServerPoolCommands.List>(_ => Sender.Tell(new ServerPoolReplies.ServerList(
            _state.Servers.Keys.Order(StringComparer.Ordinal).Select(View).ToList())));
        Command<ServerPoolCommands.CheckFeasible>(c =>
        {
            var problem = PlacementStrategy.Infeasibility(_state.Servers.Values.Select(s => s.Server),
                new JobRequirements(c.Architecture, c.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage));
            Sender.Tell(new ServerPoolReplies.Feasibility(problem is null, problem?.Field, problem?.Reason));
        });
        Command<ServerPoolCommands.Place>(OnPlace);
        Command<ServerPoolCommands.Release>(r =>
        {
            var sender = Sender;
            var ack = new ServerPoolReplies.Released(r.JobId, r.ServerId);
            if (_state.Reservations.TryGetValue(r.JobId, out var held) && (r.ServerId is null || held.Server.Id == r.ServerId))
                Persist(new SlotReleased(r.JobId), e =>
                {
                    _state = _state.Apply(e);
                    sender.Tell(ack);
                    _queue.Tell(QueueCommands.CapacityChanged.Instance);
                });
            else sender.Tell(ack); // already released: the job re-sent it
        });
        Command<ProbeAll>(_ =>
        {
            foreach (var (server, _) in _state.Servers.Values)
                ServerProbe.RunAsync(server, _settings.SshConnectTimeout).PipeTo(Self);
        });
        Command<ServerProbe.Result>(OnProbeResult);
        Command<ServerPoolCommands.Probe>(p =>
        {
            if (!_state.Servers.TryGetValue(p.ServerId, out var s)) { Sender.Tell(new ServerPoolReplies.NotFound(p.ServerId)); return; }
            var replyTo = Sender;
            ServerProbe.RunAsync(s.Server, _settings.SshConnectTimeout).PipeTo(Self, success: r => new ProbedOnRequest(r, replyTo));
        });
        Command<ProbedOnRequest>(p =>
        {
            OnProbeResult(p.Probe);
            p.ReplyTo.Tell(_state.Servers.ContainsKey(p.Probe.ServerId)
                ? new ServerPoolReplies.ServerDetails(View(p.Probe.ServerId))
                : new ServerPoolReplies.NotFound(p.Probe.ServerId));
        });
    }

    public override string PersistenceId => "server-pool";
    public ITimerScheduler Timers { get; set; } = null!;

    private ServerView View(string id)
    {
        var (server, at) = _state.Servers[id];
        return new ServerView(server, _state.SlotsInUse(id), _state.JobsOn(id),
            _health.GetValueOrDefault(id, new ServerHealth(HealthStatus.Healthy, at)), at, _state.Draining.Contains(id), _detected.GetValueOrDefault(id),
            _containers.GetValueOrDefault(id), _caches.GetValueOrDefault(id));
    }

    private void OnRegister(ServerPoolCommands.Register r)
    {
        var errors = ServerValidator.Validate(r.Server, ArchitectureCatalog.Default);
        if (errors.Count > 0) { Sender.Tell(new ServerPoolReplies.Rejected(errors[0].Field, errors[0].Message)); return; }
        if (_state.Servers.ContainsKey(r.Server.Id) || !_registering.Add(r.Server.Id))
        {
            Sender.Tell(new ServerPoolReplies.Rejected("id", $"a build server with id {r.Server.Id} is already registered", Conflict: true));
            return;
        }
        var replyTo = Sender;
        ServerProbe.RunAsync(r.Server, _settings.SshConnectTimeout)
            .PipeTo(Self, success: p => new RegistrationProbed(r.Server, p, replyTo));
    }

    private void OnRegistrationProbed(RegistrationProbed p)
    {
        _registering.Remove(p.Server.Id);
        if (!p.Probe.Ok)
        {
            _log.Warning("refused build server {0}: {1}", p.Server.Id, p.Probe.Error);
            p.ReplyTo.Tell(p.Probe.HostKeyMismatch
                ? new ServerPoolReplies.Rejected("ssh_host_key_fingerprint", p.Probe.Error!)
                : new ServerPoolReplies.Rejected("ip_address", $"cannot reach the server over SSH: {p.Probe.Error}", Unreachable: true));
            return;
        }
        Persist(new ServerRegistered(p.Server, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            _health[p.Server.Id] = new ServerHealth(HealthStatus.Healthy, p.Probe.At);
            Learn(p.Server, p.Probe);
            _log.Info("registered build server {0} ({1}:{2})", p.Server.Id, p.Server.IpAddress, p.Server.SshPort);
            p.ReplyTo.Tell(new ServerPoolReplies.Registered(View(p.Server.Id)));
            _queue.Tell(QueueCommands.CapacityChanged.Instance);
        });
    }

    private void OnRemove(ServerPoolCommands.Remove r)
    {
        if (!_state.Servers.ContainsKey(r.ServerId)) { Sender.Tell(new ServerPoolReplies.NotFound(r.ServerId)); return; }
        var jobs = _state.JobsOn(r.ServerId);
        if (jobs.Count > 0) { Sender.Tell(new ServerPoolReplies.Busy(r.ServerId, jobs)); return; }
        var sender = Sender;
        Persist(new ServerRemoved(r.ServerId, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            _health.Remove(r.ServerId);
            _detected.Remove(r.ServerId);
            _containers.Remove(r.ServerId);
            _caches.Remove(r.ServerId);
            _cachedRepositories.Remove(r.ServerId);
            _expectedMirrors.Remove(r.ServerId);
            sender.Tell(new ServerPoolReplies.Removed(r.ServerId));
        });
    }

    private void OnPlace(ServerPoolCommands.Place p)
    {
        var (placements, fresh) = _state.Place(p.Requests, id => _health.GetValueOrDefault(id)?.Status != HealthStatus.Unhealthy,
            id => _cachedRepositories.GetValueOrDefault(id));
        var sender = Sender;
        if (fresh.Count == 0) { sender.Tell(new ServerPoolReplies.Placed(placements)); return; }
        Persist(new SlotsReserved(fresh), e =>
        {
            _state = _state.Apply(e);
            ExpectMirrors(fresh, p.Requests);
            sender.Tell(new ServerPoolReplies.Placed(placements));
        });
    }

    /// <summary>
    /// A job placed on a server fills that server's mirror of its repository in its first step:
    /// count the mirror as there from now on (cache affinity for the next job), until a probe says otherwise.
    /// </summary>
    private void ExpectMirrors(IReadOnlyList<Placement> placed, IReadOnlyList<PlacementRequest> requests)
    {
        var repositories = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var r in requests) repositories.TryAdd(r.JobId, r.SourceRepository);
        foreach (var placement in placed)
        {
            if (placement.ContainerImage is not null) continue; // a container build clones
            var repository = repositories.GetValueOrDefault(placement.JobId);
            if (string.IsNullOrEmpty(repository)) continue;
            var held = _cachedRepositories.GetValueOrDefault(placement.Server.Id) ?? new HashSet<string>(StringComparer.Ordinal);
            var mirror = Execution.GitCache.MirrorName(repository);
            if (!held.Contains(mirror)) _cachedRepositories[placement.Server.Id] = new HashSet<string>(held.Append(mirror), StringComparer.Ordinal);
            if (!_expectedMirrors.TryGetValue(placement.Server.Id, out var expected)) _expectedMirrors[placement.Server.Id] = expected = new(StringComparer.Ordinal);
            expected[mirror] = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>
    /// The mirrors a probe found, plus those of jobs placed after it began: a probe that was under
    /// way when a job was placed cannot have seen the mirror the job is creating.
    /// </summary>
    private HashSet<string> CachedAfter(string serverId, ServerCaches caches, DateTimeOffset probeStarted)
    {
        var held = caches.Repositories.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (!_expectedMirrors.TryGetValue(serverId, out var expected)) return held;
        foreach (var (mirror, placedAt) in expected.ToList())
        {
            if (placedAt >= probeStarted) held.Add(mirror);
            else expected.Remove(mirror); // this probe looked after the job began: what it found stands
        }
        return held;
    }

    private void OnProbeResult(ServerProbe.Result r)
    {
        if (!_state.Servers.ContainsKey(r.ServerId)) return;
        var was = _health.GetValueOrDefault(r.ServerId)?.Status;
        var now = r.Ok ? HealthStatus.Healthy : HealthStatus.Unhealthy;
        _health[r.ServerId] = new ServerHealth(now, r.At, r.Error);
        if (r.Ok) Learn(_state.Servers[r.ServerId].Server, r);
        if (was != now) _log.Info("build server {0} is {1}{2}", r.ServerId, now, r.Error is null ? "" : $": {r.Error}");
        if (now == HealthStatus.Healthy && was != HealthStatus.Healthy) _queue.Tell(QueueCommands.CapacityChanged.Instance);
    }

    /// <summary>Keeps what a successful probe found; warns when a declared container runtime or image is missing.</summary>
    private void Learn(BuildServer server, ServerProbe.Result r)
    {
        _detected[server.Id] = r.Detected;
        if (r.Caches is { } caches)
        {
            _caches[server.Id] = caches;
            _cachedRepositories[server.Id] = CachedAfter(server.Id, caches, r.StartedAt ?? r.At);
            if (caches.Evicted.Count > 0)
                _log.Info("build server {0}: git cache over its {1} MiB limit: evicted {2} (now {3} MiB)", server.Id, server.GitCacheLimitMb,
                    string.Join(", ", caches.Evicted), caches.GitBytes / (1024 * 1024));
        }
        var before = _containers.GetValueOrDefault(server.Id);
        if (r.Containers is not { } now) { _containers.Remove(server.Id); return; }
        _containers[server.Id] = now;
        // Placement does not look at this (like missing toolchains): a job in a missing image fails
        // as an infrastructure failure and is retried elsewhere. Warn once per change, not per probe.
        var missing = ContainerDetection.Missing(server, now);
        if (before is not null && before.RuntimeFound == now.RuntimeFound && missing.SequenceEqual(ContainerDetection.Missing(server, before))) return;
        if (!now.RuntimeFound)
            _log.Warning("build server {0} declares container runtime {1}, which the probe did not find: its container builds will fail",
                server.Id, server.ContainerRuntime);
        else if (missing.Count > 0)
            _log.Warning("build server {0}: declared container images missing from {1}'s local store (builds never pull): {2}",
                server.Id, server.ContainerRuntime, string.Join(", ", missing));
    }

    public static Props Props(FarmSettings settings, IActorRef queue) =>
        Akka.Actor.Props.Create(() => new ServerPoolActor(settings, queue));
}
