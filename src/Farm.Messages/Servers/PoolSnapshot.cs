using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Servers;

/// <summary>
/// The server pool's persisted state at a sequence number (saved every Farm:SnapshotEvery events):
/// the registered servers, the draining ones and the slot reservations. Health and probe findings
/// are not persisted (re-learned within a probe interval).
/// </summary>
public sealed record PoolSnapshot(
    IReadOnlyList<RegisteredServerSnapshot> Servers,
    IReadOnlyList<string> Draining,
    IReadOnlyList<Placement> Reservations) : IFarmMessage;

public sealed record RegisteredServerSnapshot(BuildServer Server, DateTimeOffset RegisteredAt);
