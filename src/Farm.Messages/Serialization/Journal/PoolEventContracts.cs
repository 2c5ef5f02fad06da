using E = KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>The journal shapes of <see cref="Servers.ServerPoolEvents"/> (version 1: the shapes release 8457cc2 wrote).</summary>
public static class PoolEventContracts
{
    public sealed record ServerRegistered
    {
        public ServerContract Server { get; init; } = new();
        public DateTimeOffset At { get; init; }
        public static ServerRegistered From(E.ServerRegistered e) => new() { Server = ServerContract.From(e.Server), At = e.At };
        public E.ServerRegistered ToDomain() => new((Server ?? new()).ToDomain(), At);
    }

    public sealed record ServerRemoved
    {
        public string ServerId { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public static ServerRemoved From(E.ServerRemoved e) => new() { ServerId = e.ServerId, At = e.At };
        public E.ServerRemoved ToDomain() => new(ServerId, At);
    }

    public sealed record DrainChanged
    {
        public string ServerId { get; init; } = "";
        public bool Draining { get; init; }
        public DateTimeOffset At { get; init; }
        public static DrainChanged From(E.DrainChanged e) => new() { ServerId = e.ServerId, Draining = e.Draining, At = e.At };
        public E.DrainChanged ToDomain() => new(ServerId, Draining, At);
    }

    public sealed record SlotsReserved
    {
        public IReadOnlyList<PlacementContract>? Placements { get; init; }
        public static SlotsReserved From(E.SlotsReserved e) => new() { Placements = e.Placements.Select(PlacementContract.From).ToList() };
        public E.SlotsReserved ToDomain() => new((Placements ?? []).Select(p => p.ToDomain()).ToList());
    }

    public sealed record SlotReleased
    {
        public string JobId { get; init; } = "";
        public static SlotReleased From(E.SlotReleased e) => new() { JobId = e.JobId };
        public E.SlotReleased ToDomain() => new(JobId);
    }
}
