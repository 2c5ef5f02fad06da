using Akka.Actor;
using Akka.Cluster;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Gateway.Contract;

namespace KernelFarm.Host.Gateway;

/// <summary>The cluster palette's JSON shapes (what pbm shows): members, where the singletons live, the actor tree.</summary>
public static class ClusterViews
{
    public static ClusterMembership Membership(Cluster cluster)
    {
        var state = cluster.State;
        return new ClusterMembership(
            cluster.SelfAddress.ToString(),
            cluster.SelfUniqueAddress.Uid,
            Status(cluster.SelfMember.Status),
            state.Leader?.ToString(),
            state.Members.Select(m => Member(m, !state.Unreachable.Contains(m))).ToArray(),
            state.Unreachable.Select(m => m.Address.ToString()).ToArray(),
            Singletons(cluster));
    }

    /// <summary>Where each singleton lives: the oldest Up member with the worker role (ClusterSingletonManager's rule).</summary>
    public static IReadOnlyDictionary<string, string?> Singletons(Cluster cluster)
    {
        var oldestWorker = cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(FarmAkkaExtensions.WorkerRole))
            .Aggregate((Member?)null, (oldest, m) => oldest is null || m.IsOlderThan(oldest) ? m : oldest);
        return new Dictionary<string, string?>
        {
            ["build-queue"] = oldestWorker?.Address.ToString(),
            ["server-pool"] = oldestWorker?.Address.ToString(),
        };
    }

    public static ClusterMember Member(Member m, bool reachable) =>
        new(m.Address.ToString(), m.UniqueAddress.Uid, Status(m.Status), m.Roles.Order(StringComparer.Ordinal).ToArray(), reachable);

    public static string Status(MemberStatus s) => s.ToString().ToLowerInvariant();

    /// <summary>A node's local actor tree below <paramref name="root"/>, <paramref name="depth"/> levels deep.</summary>
    public static ActorNode Tree(IActorRef root, int depth)
    {
        var children = depth > 0 && root is ActorRefWithCell withCell
            ? withCell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).Select(c => Tree(c, depth - 1)).ToList()
            : null;
        return new ActorNode(root.Path.ToStringWithoutAddress(), children);
    }

    public sealed record ActorNode(string Path, IReadOnlyList<ActorNode>? Children);
}
