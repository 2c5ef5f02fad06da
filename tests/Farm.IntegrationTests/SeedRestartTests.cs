using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The first seed node (node1, first in every node's seed list) is the only node that may form a
/// cluster. Restarted while the others run, it must join their cluster however long they take to
/// answer (a soak run saw it form a second cluster, and so run a second queue singleton on the same
/// journal, when the others answered after Akka's default 5 s seed-node-timeout); a cold start of
/// every node must still form exactly one cluster. Membership is read from each node's
/// /healthz/cluster: one cluster means every node sees the same members with the same uids.
/// </summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed class SeedRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Longer than Akka's default seed-node-timeout (5 s), after which node1 used to join itself.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(9);

    private const string FormsCluster = "is JOINING itself";

    [Fact]
    public async Task A_SIGKILLed_first_seed_node_joins_the_running_cluster_even_when_its_members_answer_late()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 0);
        try
        {
            var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
            var before = await OneClusterAsync(cluster, "after the start");
            var node1Address = (await ViewAsync(node1))!.Self;
            var oldUid = before.Single(m => m.Address == node1Address).Uid;

            node1.Kill();
            // The survivors down and remove node1's old incarnation (split-brain resolver, 3 s).
            await UntilAsync("node2 and node3 remove the killed node1", async () =>
                await ViewAsync(node2) is { } v2 && await ViewAsync(node3) is { } v3
                && v2.Members.Count == 2 && v3.Members.Count == 2 && v2.SameMembers(v3) && v2.Members.All(m => m.Status == "up"));

            // node2 and node3 stay members but answer nothing (SIGSTOP) while node1 starts, longer
            // than the default seed-node-timeout: a loaded machine did the same in the soak run.
            var logStart = new FileInfo(node1.LogPath).Length;
            await Signal("STOP", node2, node3);
            Task relaunch;
            try
            {
                relaunch = node1.LaunchAsync();
                await UntilAsync("node1 starts its cluster daemon", async () => await ViewAsync(node1) is not null);
                await Consistently.HoldsAsync(async () =>
                {
                    var view = await ViewAsync(node1);
                    Assert.True(view is { Status: not "up" }, $"node1 became a member while every other member was stalled: {view}");
                }, Stall);
            }
            finally
            {
                await Signal("CONT", node2, node3);
            }
            await relaunch;

            var after = await OneClusterAsync(cluster, "after node1's restart");
            Assert.NotEqual(oldUid, after.Single(m => m.Address == node1Address).Uid); // the restarted incarnation is the member
            var log = LogSince(node1, logStart);
            Assert.DoesNotContain(FormsCluster, log);
            Assert.Contains("Welcome from [", log);
        }
        catch
        {
            KeepLogs(cluster, "seed-restart");
            throw;
        }
    }

    [Fact]
    public async Task A_cold_start_of_every_node_in_any_order_forms_one_cluster()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 0);
        try
        {
            var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
            await OneClusterAsync(cluster, "after the start");

            // Every node SIGKILLed; node1 comes back first and alone: it must not form a cluster
            // (the others' Akka addresses refuse connections, i.e. no answer at all)...
            foreach (var n in cluster.Nodes) n.Kill();
            var starts = cluster.Nodes.Select(n => new FileInfo(n.LogPath).Length).ToArray();
            var first = node1.LaunchAsync();
            await UntilAsync("node1 starts its cluster daemon", async () => await ViewAsync(node1) is not null);
            await Consistently.HoldsAsync(async () =>
            {
                var view = await ViewAsync(node1);
                Assert.True(view is { Status: not "up" }, $"node1 formed a cluster on its own: {view}");
            }, Stall);
            // ...and forms it once the others are back (here in reverse order).
            var third = node3.LaunchAsync();
            await UntilAsync("node3 starts its cluster daemon", async () => await ViewAsync(node3) is not null);
            await Task.WhenAll(first, third, node2.LaunchAsync());
            await OneClusterAsync(cluster, "after a cold start in the order node1, node3, node2");
            Assert.Equal(1, Count(LogSince(node1, starts[0]), FormsCluster));
            Assert.Equal(0, Count(LogSince(node2, starts[1]) + LogSince(node3, starts[2]), FormsCluster));

            // Every node stopped gracefully (SIGTERM: leave), then all started at once.
            await Task.WhenAll(cluster.Nodes.Select(n => n.StopAsync(TimeSpan.FromSeconds(60))));
            starts = cluster.Nodes.Select(n => new FileInfo(n.LogPath).Length).ToArray();
            await Task.WhenAll(cluster.Nodes.Select(n => n.LaunchAsync()));
            await OneClusterAsync(cluster, "after a simultaneous cold start");
            Assert.Equal(1, Count(string.Concat(cluster.Nodes.Select((n, i) => LogSince(n, starts[i]))), FormsCluster));
        }
        catch
        {
            KeepLogs(cluster, "cold-start");
            throw;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private sealed record MemberView(string Address, int Uid, string Status, bool Reachable);

    private sealed record ClusterView(string Self, int SelfUid, string Status, IReadOnlyList<MemberView> Members)
    {
        public bool SameMembers(ClusterView other) =>
            Members.Select(m => (m.Address, m.Uid)).ToHashSet().SetEquals(other.Members.Select(m => (m.Address, m.Uid)));

        public override string ToString() =>
            $"{Self}#{SelfUid} {Status}: [{string.Join(", ", Members.Select(m => $"{m.Address}#{m.Uid} {m.Status}{(m.Reachable ? "" : " unreachable")}"))}]";
    }

    /// <summary>The node's /healthz/cluster, or null while it does not answer (not started, stopped).</summary>
    private static async Task<ClusterView?> ViewAsync(FarmProcess node)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var json = JsonNode.Parse(await node.Http.GetStringAsync("healthz/cluster", cts.Token))!.AsObject();
            var members = json["members"]!.AsArray().Select(m => new MemberView(
                m!["address"]!.GetValue<string>(), m["uid"]!.GetValue<int>(),
                m["status"]!.GetValue<string>(), m["reachable"]!.GetValue<bool>())).ToList();
            return new ClusterView(json["self"]!.GetValue<string>(), json["self_uid"]!.GetValue<int>(),
                json["status"]!.GetValue<string>(), members);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the nodes form one cluster: every node is Up and sees the same members (address
    /// and uid), all Up and reachable, and those members are exactly the nodes themselves.
    /// </summary>
    private static async Task<IReadOnlyList<MemberView>> OneClusterAsync(FarmCluster cluster, string when)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var views = new List<ClusterView?>();
        while (DateTime.UtcNow < deadline)
        {
            views = [];
            foreach (var n in cluster.Nodes) views.Add(await ViewAsync(n));
            if (views.All(v => v is { Status: "up" }))
            {
                var first = views[0]!;
                var selves = views.Select(v => (v!.Self, v.SelfUid)).ToHashSet();
                if (views.All(v => v!.SameMembers(first))
                    && first.Members.Count == cluster.Nodes.Count
                    && first.Members.All(m => m is { Status: "up", Reachable: true })
                    && selves.SetEquals(first.Members.Select(m => (m.Address, m.Uid))))
                    return first.Members;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"not one cluster {when} within {Timeout}:\n"
            + string.Join("\n", views.Select((v, i) => $"node{i + 1}: {v?.ToString() ?? "no answer"}")));
    }

    private static Task UntilAsync(string what, Func<Task<bool>> condition) => Eventually.TrueAsync(condition, Timeout, what);

    private static async Task Signal(string signal, params FarmProcess[] nodes)
    {
        foreach (var n in nodes) await Proc.RunAsync("kill", [$"-{signal}", n.Pid.ToString()], throwOnError: true);
    }

    private static string LogSince(FarmProcess node, long offset)
    {
        using var stream = new FileStream(node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd();
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private void KeepLogs(FarmCluster cluster, string prefix)
    {
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            var copy = Path.Combine(TempDirectory.Root, $"{prefix}-node{i + 1}.log");
            try { File.Copy(cluster.Nodes[i].LogPath, copy, overwrite: true); output.WriteLine($"node{i + 1} log: {copy}"); }
            catch (IOException) { }
        }
    }
}
