using KernelFarm.IntegrationTests.Fixtures;
using System.Net;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>Fault tests on a three-node cluster on PostgreSQL: real processes killed for real.</summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed partial class ClusterFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task SIGKILL_of_the_node_hosting_a_running_job_moves_the_job_to_another_node_and_it_completes_once()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3);
        const int seconds = 8;
        var id = await cluster.Nodes[0].SubmitAsync(cluster.Job(buildSeconds: seconds));
        var owner = await WaitForOwnerAsync(cluster, id);
        await cluster.AnyLive().WaitForAsync(id, j => FarmProcess.Status(j) == "building"
            && LogText(cluster, id).Contains("init/file2.o"), Timeout);

        owner.Kill();
        var survivor = cluster.AnyLive(owner);
        var job = await survivor.WaitForEndAsync(id, Timeout);

        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Single(job["attempts"]!.AsArray()); // re-attached, not retried
        Artifacts.AssertStorageMatchesRecord(job);
        var lines = CcLines().Matches(await survivor.GetLogAsync(id)).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(Enumerable.Range(1, seconds).ToList(), lines); // no gap, no duplicate
        Assert.NotNull(cluster.NodeLogging($"job {id}: re-attaching"));
    }

    [Fact]
    public async Task Stopping_every_node_and_starting_them_again_keeps_jobs_history_and_servers_and_runs_queued_jobs()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 1, slotsPerServer: 1);
        var api = cluster.Nodes[0];
        var done = await api.SubmitAsync(cluster.Job());
        await api.WaitForEndAsync(done, Timeout);
        var running = await api.SubmitAsync(cluster.Job(buildSeconds: 6));
        var queued = await api.SubmitAsync(cluster.Job());
        await api.WaitForAsync(running, j => FarmProcess.Status(j) == "building", Timeout);
        var before = await api.GetJobAsync(done);

        foreach (var n in cluster.Nodes) n.Kill();
        // All at once: node1 (first seed) forms the cluster only when the others answer that they are no members.
        await Task.WhenAll(cluster.Nodes.Select(n => n.LaunchAsync()));

        var after = await api.GetJobAsync(done);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        using var servers = await api.Http.GetAsync("api/v1/infrastructure/build-servers/server1");
        Assert.Equal(HttpStatusCode.OK, servers.StatusCode);
        Assert.Equal("completed", FarmProcess.Status(await api.WaitForEndAsync(running, Timeout)));
        Assert.Equal("completed", FarmProcess.Status(await api.WaitForEndAsync(queued, Timeout)));
    }

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_stops_dispatching_leaves_and_hands_its_running_job_over()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3);
        var queueNode = cluster.NodeLogging("user/build-queue/build-queue] queue recovered")!;
        var id = await cluster.AnyLive(queueNode).SubmitAsync(cluster.Job(buildSeconds: 6));
        await cluster.AnyLive(queueNode).WaitForAsync(id, j => FarmProcess.Status(j) == "building", Timeout);

        await queueNode.StopAsync(TimeSpan.FromSeconds(60));

        var log = File.ReadAllText(queueNode.LogPath);
        var paused = log.IndexOf("queue: dispatch paused for shutdown", StringComparison.Ordinal);
        var leaving = log.IndexOf("as [Leaving]", StringComparison.Ordinal);
        Assert.True(paused >= 0 && leaving > paused, "the node must stop dispatching before it leaves");
        Assert.Contains("hand-over done", log);
        var survivor = cluster.AnyLive(queueNode);
        Assert.Equal("completed", FarmProcess.Status(await survivor.WaitForEndAsync(id, Timeout)));
        var next = await survivor.SubmitAsync(cluster.Job()); // the queue runs on its new node
        Assert.Equal("completed", FarmProcess.Status(await survivor.WaitForEndAsync(next, Timeout)));
    }

    [Fact]
    public async Task A_gateway_only_node_serves_the_API_while_worker_only_nodes_run_the_jobs()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 1,
            roles: [["gateway"], ["worker"], ["worker"]]);
        var gateway = cluster.Nodes[0];
        var id = await gateway.SubmitAsync(cluster.Job());
        Assert.Equal("completed", FarmProcess.Status(await gateway.WaitForEndAsync(id, Timeout)));

        Assert.NotSame(gateway, cluster.NodeLogging($"job {id}: assigned")); // the job actor ran on a worker
        Assert.DoesNotContain(File.ReadAllLines(gateway.LogPath), l => l.Contains("Singleton manager started singleton actor"));
        using var noApi = await cluster.Nodes[1].Http.GetAsync("api/v1/infrastructure/build-servers");
        Assert.Equal(HttpStatusCode.NotFound, noApi.StatusCode); // a worker serves no API
    }

    [Fact]
    public async Task The_same_Idempotency_Key_returns_the_same_job()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 2, servers: 1);
        var (first, body1) = await cluster.Nodes[0].PostJobAsync(cluster.Job(), "ci-run-42");
        var (second, body2) = await cluster.Nodes[1].PostJobAsync(cluster.Job(), "ci-run-42");
        Assert.Equal(HttpStatusCode.Accepted, first);
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(body1["id"]!.GetValue<string>(), body2["id"]!.GetValue<string>());
    }

    private static string LogText(FarmCluster cluster, string id)
    {
        var path = Path.Combine(cluster.StoragePath, ".logs", id + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static async Task<FarmProcess> WaitForOwnerAsync(FarmCluster cluster, string id) =>
        (await Eventually.ValueAsync(() => Task.FromResult(cluster.NodeLogging($"job {id}: assigned")), owner => owner is not null,
            Timeout, $"a node to log the assignment of {id}"))!;

    [GeneratedRegex(@"^  CC      init/file(\d+)\.o$", RegexOptions.Multiline)] private static partial Regex CcLines();
}
