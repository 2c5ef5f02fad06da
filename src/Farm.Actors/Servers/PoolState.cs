using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Actors.Servers;

/// <summary>The registry and its slot accounting, as a value (reservations keyed by job, so they are idempotent).</summary>
public sealed record PoolState
{
    public static readonly PoolState Empty = new();

    public IReadOnlyDictionary<string, (BuildServer Server, DateTimeOffset RegisteredAt)> Servers { get; init; } =
        new Dictionary<string, (BuildServer, DateTimeOffset)>();
    public IReadOnlyDictionary<string, Placement> Reservations { get; init; } = new Dictionary<string, Placement>();
    public IReadOnlySet<string> Draining { get; init; } = new HashSet<string>();

    public int SlotsInUse(string serverId) => Reservations.Values.Count(p => p.Server.Id == serverId);

    public IReadOnlyList<string> JobsOn(string serverId) =>
        Reservations.Values.Where(p => p.Server.Id == serverId).Select(p => p.JobId).Order(StringComparer.Ordinal).ToList();

    public PoolState Apply(object e)
    {
        switch (e)
        {
            case ServerRegistered r:
                return this with { Servers = new Dictionary<string, (BuildServer, DateTimeOffset)>(Servers) { [r.Server.Id] = (r.Server, r.At) } };
            case ServerRemoved r:
            {
                var servers = new Dictionary<string, (BuildServer, DateTimeOffset)>(Servers);
                servers.Remove(r.ServerId);
                var draining = new HashSet<string>(Draining);
                draining.Remove(r.ServerId);
                return this with { Servers = servers, Draining = draining };
            }
            case DrainChanged d:
            {
                var draining = new HashSet<string>(Draining);
                if (d.Draining) draining.Add(d.ServerId); else draining.Remove(d.ServerId);
                return this with { Draining = draining };
            }
            case SlotsReserved r:
            {
                var res = new Dictionary<string, Placement>(Reservations);
                foreach (var p in r.Placements) res[p.JobId] = p;
                return this with { Reservations = res };
            }
            case SlotReleased r:
            {
                var res = new Dictionary<string, Placement>(Reservations);
                res.Remove(r.JobId);
                return this with { Reservations = res };
            }
            default:
                return this;
        }
    }
}
