using System.Collections.Immutable;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// The registry and its slot accounting, as a value (reservations keyed by job, so they are idempotent).
/// Reservations are also kept per server, so slot counts and a server's jobs cost no scan of every
/// reservation (placement reads them for every server on every request); immutable collections keep
/// each event's cost logarithmic while earlier values stay untouched.
/// </summary>
public sealed record PoolState
{
    public static readonly PoolState Empty = new();

    private static readonly ImmutableSortedSet<string> NoJobs = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, (BuildServer Server, DateTimeOffset RegisteredAt)> Servers { get; init; } =
        new Dictionary<string, (BuildServer, DateTimeOffset)>();
    public IReadOnlyDictionary<string, Placement> Reservations => _reservations;
    public IReadOnlySet<string> Draining { get; init; } = new HashSet<string>();

    private ImmutableDictionary<string, Placement> _reservations = ImmutableDictionary<string, Placement>.Empty;
    /// <summary>Reserved jobs by server id (ordinal order): the same reservations as <see cref="Reservations"/>.</summary>
    private ImmutableDictionary<string, ImmutableSortedSet<string>> _jobsByServer = ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty;
    /// <summary>Registered servers with a slot not reserved (draining or unhealthy ones included): where placement looks first.</summary>
    private ImmutableHashSet<string> _notFull = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Registered servers with at least one slot not reserved.</summary>
    public IReadOnlySet<string> NotFull => _notFull;

    public int SlotsInUse(string serverId) => _jobsByServer.TryGetValue(serverId, out var jobs) ? jobs.Count : 0;

    public IReadOnlyList<string> JobsOn(string serverId) => _jobsByServer.GetValueOrDefault(serverId, NoJobs);

    /// <summary>
    /// Places as many of the requests (in their order) as fit, as <see cref="PlacementStrategy"/>
    /// chooses: All answers every request that holds a slot (one already reserved for the job is
    /// kept, idempotently), Fresh the new reservations to persist. Capacities are built once and
    /// updated as slots are taken; a request that avoids no server is offered only the servers with
    /// a free slot (the only ones Choose can pick), so requests against a full pool cost little.
    /// </summary>
    /// <param name="cachedRepositories">The git mirrors a server's cache holds as far as the pool knows (cache affinity), or null.</param>
    public (IReadOnlyList<Placement> All, IReadOnlyList<Placement> Fresh) Place(IReadOnlyList<PlacementRequest> requests, Func<string, bool> isHealthy,
        Func<string, IReadOnlySet<string>?>? cachedRepositories = null)
    {
        var placements = new List<Placement>();
        var fresh = new List<Placement>();
        var taken = new Dictionary<string, int>(StringComparer.Ordinal); // slots taken (or freed) by this batch, per server
        Dictionary<string, ServerCapacity>? free = null; // usable servers with a free slot, as this batch leaves them

        ServerCapacity Capacity(BuildServer server) =>
            new(server, SlotsInUse(server.Id) + taken.GetValueOrDefault(server.Id), isHealthy(server.Id), Draining.Contains(server.Id),
                cachedRepositories?.Invoke(server.Id));

        Dictionary<string, ServerCapacity> Free()
        {
            if (free is not null) return free;
            free = new Dictionary<string, ServerCapacity>(StringComparer.Ordinal);
            foreach (var id in _notFull.Concat(taken.Keys).Distinct())
                if (Servers.TryGetValue(id, out var s) && Capacity(s.Server) is var c && Usable(c)) free[id] = c;
            return free;
        }

        void Take(string serverId, int slots)
        {
            taken[serverId] = taken.GetValueOrDefault(serverId) + slots;
            if (free is null || !Servers.TryGetValue(serverId, out var s)) return;
            var c = Capacity(s.Server);
            if (Usable(c)) free[serverId] = c; else free.Remove(serverId);
        }

        foreach (var req in requests)
        {
            if (Reservations.TryGetValue(req.JobId, out var existing))
            {
                // A reservation on a server the job must avoid is the failed attempt's, not yet
                // released: it is replaced below (the new SlotsReserved overwrites it).
                if (!req.AvoidServers.Contains(existing.Server.Id)) { placements.Add(existing); continue; }
                Take(existing.Server.Id, -1);
            }
            var job = new JobRequirements(req.Architecture, req.Toolchain, req.WorkspaceRoot, req.BuildDirectory, req.ContainerImage,
                string.IsNullOrEmpty(req.SourceRepository) ? null : Execution.GitCache.MirrorName(req.SourceRepository), req.SeriesTree);
            var chosen = req.AvoidServers.Count == 0
                ? PlacementStrategy.Choose(Free().Values, req.JobId, job)
                // a retry may fall back to a server it avoids when no other could ever run it: that needs every server
                : PlacementStrategy.Choose(Servers.Values.Select(s => Capacity(s.Server)).ToList(), req.JobId, job, req.AvoidServers);
            if (chosen is null) continue;
            Take(chosen.Server.Id, +1);
            placements.Add(chosen);
            fresh.Add(chosen);
        }
        return (placements, fresh);
    }

    private static bool Usable(ServerCapacity c) => c.Healthy && !c.Draining && c.FreeSlots > 0;

    public PoolState Apply(IPoolEvent e)
    {
        switch (e)
        {
            case ServerRegistered r:
            {
                var servers = new Dictionary<string, (BuildServer, DateTimeOffset)>(Servers) { [r.Server.Id] = (r.Server, r.At) };
                return this with { Servers = servers, _notFull = NotFullAfter(_notFull, servers, _jobsByServer, [r.Server.Id]) };
            }
            case ServerRemoved r:
            {
                var servers = new Dictionary<string, (BuildServer, DateTimeOffset)>(Servers);
                servers.Remove(r.ServerId);
                var draining = new HashSet<string>(Draining);
                draining.Remove(r.ServerId);
                return this with { Servers = servers, Draining = draining, _notFull = _notFull.Remove(r.ServerId) };
            }
            case DrainChanged d:
            {
                var draining = new HashSet<string>(Draining);
                if (d.Draining) draining.Add(d.ServerId); else draining.Remove(d.ServerId);
                return this with { Draining = draining };
            }
            case SlotsReserved r:
            {
                var reservations = _reservations.ToBuilder();
                var byServer = _jobsByServer.ToBuilder();
                var changed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in r.Placements)
                {
                    if (reservations.TryGetValue(p.JobId, out var held)) { Unlist(byServer, held); changed.Add(held.Server.Id); }
                    reservations[p.JobId] = p;
                    byServer[p.Server.Id] = byServer.GetValueOrDefault(p.Server.Id, NoJobs).Add(p.JobId);
                    changed.Add(p.Server.Id);
                }
                var jobsByServer = byServer.ToImmutable();
                return this with
                {
                    _reservations = reservations.ToImmutable(), _jobsByServer = jobsByServer,
                    _notFull = NotFullAfter(_notFull, Servers, jobsByServer, changed),
                };
            }
            case SlotReleased r:
            {
                if (!_reservations.TryGetValue(r.JobId, out var held)) return this;
                var byServer = _jobsByServer.ToBuilder();
                Unlist(byServer, held);
                var jobsByServer = byServer.ToImmutable();
                return this with
                {
                    _reservations = _reservations.Remove(r.JobId), _jobsByServer = jobsByServer,
                    _notFull = NotFullAfter(_notFull, Servers, jobsByServer, [held.Server.Id]),
                };
            }
            default:
                return this;
        }
    }

    /// <summary>What is persisted, as the snapshot contract (<see cref="FromSnapshot"/> gives an equal state back).</summary>
    public PoolSnapshot ToSnapshot() => new(
        Servers.Values.OrderBy(s => s.Server.Id, StringComparer.Ordinal).Select(s => new RegisteredServerSnapshot(s.Server, s.RegisteredAt)).ToList(),
        Draining.Order(StringComparer.Ordinal).ToList(),
        _reservations.Values.OrderBy(p => p.JobId, StringComparer.Ordinal).ToList());

    public static PoolState FromSnapshot(PoolSnapshot snapshot)
    {
        var state = Empty;
        foreach (var s in snapshot.Servers) state = state.Apply(new ServerRegistered(s.Server, s.RegisteredAt));
        foreach (var id in snapshot.Draining) state = state.Apply(new DrainChanged(id, true, DateTimeOffset.MinValue));
        return snapshot.Reservations.Count == 0 ? state : state.Apply(new SlotsReserved(snapshot.Reservations));
    }

    private static ImmutableHashSet<string> NotFullAfter(ImmutableHashSet<string> notFull,
        IReadOnlyDictionary<string, (BuildServer Server, DateTimeOffset RegisteredAt)> servers,
        ImmutableDictionary<string, ImmutableSortedSet<string>> jobsByServer, IEnumerable<string> changed)
    {
        foreach (var id in changed)
            notFull = servers.TryGetValue(id, out var s) && jobsByServer.GetValueOrDefault(id, NoJobs).Count < s.Server.MaxConcurrentJobs
                ? notFull.Add(id) : notFull.Remove(id);
        return notFull;
    }

    private static void Unlist(ImmutableDictionary<string, ImmutableSortedSet<string>>.Builder byServer, Placement held)
    {
        if (!byServer.TryGetValue(held.Server.Id, out var jobs)) return;
        jobs = jobs.Remove(held.JobId);
        if (jobs.Count == 0) byServer.Remove(held.Server.Id);
        else byServer[held.Server.Id] = jobs;
    }
}
