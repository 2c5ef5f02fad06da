namespace KernelFarm.Host.Gateway.Contract;

/// <summary>This node's view of the cluster: members, who leads, where the singletons live.</summary>
public sealed record ClusterMembership(
    string Self,
    long SelfUid,
    string Status,
    string? Leader,
    IReadOnlyList<ClusterMember> Members,
    IReadOnlyList<string> Unreachable,
    IReadOnlyDictionary<string, string?> Singletons);

public sealed record ClusterMember(string Address, long Uid, string Status, IReadOnlyList<string> Roles, bool Reachable);

/// <summary>The body of leave, down and join: a node address (akka.tcp://kernelfarm@host:port or host:port).</summary>
public sealed record MemberAddress(string? Address);

/// <summary>A leave, down or join was started for the address.</summary>
public sealed record MemberActionAccepted(string Address, string Action);

/// <summary>The build-job shards and their entities on each region.</summary>
public sealed record ShardingStats(string Type, IReadOnlyList<ShardingRegionStats> Regions, int TotalEntities);

public sealed record ShardingRegionStats(string Address, IReadOnlyList<ShardEntities> Shards, IReadOnlyList<string> Failed);

public sealed record ShardEntities(string Id, int Entities);
