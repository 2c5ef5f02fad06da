using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Servers;

public static class ServerPoolCommands
{
    public sealed record Register(BuildServer Server) : IFarmMessage;
    public sealed record Remove(string ServerId) : IFarmMessage;
    /// <summary>No new jobs go to a draining server; running ones finish.</summary>
    public sealed record Drain(string ServerId, bool Draining) : IFarmMessage;
    public sealed record Get(string ServerId) : IFarmMessage;
    /// <summary>Probe this server now (not at the next interval); answers with its details and fresh health.</summary>
    public sealed record Probe(string ServerId) : IFarmMessage;
    public sealed record List : IFarmMessage
    {
        public static readonly List Instance = new();
    }

    /// <summary>Could any registered server ever run this (ignoring free slots)?</summary>
    public sealed record CheckFeasible(string Architecture, string? Toolchain, string? WorkspaceRoot, string? BuildDirectory,
        string? ContainerImage = null) : IFarmMessage;

    /// <summary>Reserve slots for as many of these (in priority order) as fit.</summary>
    public sealed record Place(IReadOnlyList<PlacementRequest> Requests) : IFarmMessage;

    /// <summary>The exact compilers (<see cref="DetectedToolchain.Identity"/>) a job with these needs would run on the
    /// registered servers, outside containers: the compilers its reuse key may name.</summary>
    public sealed record Compilers(string Architecture, string Toolchain, string? WorkspaceRoot, string? BuildDirectory) : IFarmMessage;

    /// <summary>
    /// A job left its server (finished, failed, cancelled). Idempotent. With ServerId, only a
    /// reservation on that server is released (a late release of a failed attempt must not free its retry's slot).
    /// </summary>
    public sealed record Release(string JobId, string? ServerId = null) : IFarmMessage;
}

public static class ServerPoolReplies
{
    public sealed record Registered(ServerView Server) : IFarmMessage;
    /// <summary>Refused registration; Field names the request field at fault.</summary>
    public sealed record Rejected(string Field, string Reason, bool Conflict = false, bool Unreachable = false) : IFarmMessage;
    public sealed record Removed(string ServerId) : IFarmMessage;
    public sealed record Busy(string ServerId, IReadOnlyList<string> RunningJobs) : IFarmMessage;
    public sealed record NotFound(string ServerId) : IFarmMessage;
    public sealed record ServerDetails(ServerView Server) : IFarmMessage;
    public sealed record ServerList(IReadOnlyList<ServerView> Servers) : IFarmMessage;
    /// <summary>Field: the request field that makes it infeasible (target_architecture, toolchain, build_config.workspace_root, …).</summary>
    public sealed record Feasibility(bool Feasible, string? Field, string? Reason) : IFarmMessage;
    public sealed record Placed(IReadOnlyList<Placement> Placements) : IFarmMessage;
    public sealed record CompilerIdentities(IReadOnlyList<string> Identities) : IFarmMessage;
    /// <summary>Acknowledges a Release (also when nothing was held): the job stops re-sending it.</summary>
    public sealed record Released(string JobId, string? ServerId) : IFarmMessage;
}

/// <summary>Persisted by the server pool (ServerPoolActor); PoolState.Apply takes nothing else.</summary>
public interface IPoolEvent : IFarmMessage;

public static class ServerPoolEvents
{
    public sealed record ServerRegistered(BuildServer Server, DateTimeOffset At) : IPoolEvent;
    public sealed record ServerRemoved(string ServerId, DateTimeOffset At) : IPoolEvent;
    public sealed record DrainChanged(string ServerId, bool Draining, DateTimeOffset At) : IPoolEvent;
    public sealed record SlotsReserved(IReadOnlyList<Placement> Placements) : IPoolEvent;
    public sealed record SlotReleased(string JobId) : IPoolEvent;
}
