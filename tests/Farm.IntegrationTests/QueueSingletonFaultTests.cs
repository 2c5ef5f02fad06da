using KernelFarm.IntegrationTests.Fixtures;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The build queue is a cluster singleton: SIGKILL its node while clients keep submitting through
/// the other nodes. Every submission that was answered 202 must run, exactly once.
/// </summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed partial class QueueSingletonFaultTests(ITestOutputHelper output)
{
    private const string QueueStarted = "Singleton manager started singleton actor [akka://kernelfarm/user/build-queue/build-queue]";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task SIGKILL_of_the_queue_node_during_submissions_loses_no_accepted_job_and_runs_each_exactly_once()
    {
        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 2, slotsPerServer: 2);
        try
        {
            await SubmitThroughFailoversAsync(cluster);
        }
        catch
        {
            KeepLogs(cluster);
            throw;
        }
    }

    private async Task SubmitThroughFailoversAsync(FarmCluster cluster)
    {
        const int rounds = 2, perRound = 20;
        var all = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            var queueNode = await QueueNodeAsync(cluster);
            var others = cluster.Nodes.Where(n => n != queueNode && n.IsRunning).ToList();
            var accepted = new ConcurrentQueue<string>();
            var refused = new ConcurrentQueue<string>();

            // One client per surviving node, submitting at a steady pace through the failover.
            var clients = others.Select((node, k) => Task.Run(async () =>
            {
                for (var i = k; i < perRound; i += others.Count)
                {
                    var outcome = await TrySubmitAsync(node, cluster.Job(buildSeconds: 2));
                    if (outcome.Id is { } id) accepted.Enqueue(id); else refused.Enqueue(outcome.Refusal!);
                    await Task.Delay(300);
                }
            })).ToList();
            await Eventually.TrueAsync(() => accepted.Count >= 4, TimeSpan.FromSeconds(30),
                $"round {round}: four jobs accepted before the kill (refused: {string.Join(" | ", refused)})", every: TimeSpan.FromMilliseconds(50));

            var killedAt = DateTime.UtcNow;
            queueNode.Kill();
            await Task.WhenAll(clients);
            output.WriteLine($"round {round}: killed the queue's node at {killedAt:HH:mm:ss.fff}; {accepted.Count} accepted, {refused.Count} refused: {string.Join(" | ", refused.Distinct())}");
            Assert.True(accepted.Count > 4, $"round {round}: no submission was accepted after the kill");
            Assert.NotNull(await QueueNodeAsync(cluster)); // the queue lives on, elsewhere

            var api = cluster.AnyLive();
            await AllEndAsync(api, accepted.ToList(), round);
            foreach (var id in accepted)
            {
                var job = await api.GetJobAsync(id);
                Assert.True(FarmProcess.Status(job) == "completed", $"job {id}: {job.ToJsonString()}");
                Assert.Single(job["attempts"]!.AsArray());
                Artifacts.AssertStorageMatchesRecord(job);
                // its folder exists once (published, not also staged or published elsewhere)
                Assert.Single(Directory.GetDirectories(cluster.StoragePath, id, SearchOption.AllDirectories));
                var log = await api.GetLogAsync(id);
                Assert.Single(Regex.Matches(log, "^==> kfarm: step building$", RegexOptions.Multiline));
                Assert.Single(Regex.Matches(log, "^commit: ", RegexOptions.Multiline));
            }
            all.AddRange(accepted);

            // the killed node comes back (a new incarnation) for the next round
            await queueNode.LaunchAsync();
        }
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    /// <summary>Every node's log, kept under /tmp/kfarm-tests for diagnosis (the cluster's folder is deleted).</summary>
    private void KeepLogs(FarmCluster cluster)
    {
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            var copy = Path.Combine(Fixtures.TempDirectory.Root, $"queue-fault-node{i + 1}.log");
            try { File.Copy(cluster.Nodes[i].LogPath, copy, overwrite: true); output.WriteLine($"node{i + 1} log: {copy}"); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// Waits until every job has ended; if some have not, fails naming them and what the build
    /// servers' slots are held by (job id and that job's status).
    /// </summary>
    private static async Task AllEndAsync(FarmProcess api, IReadOnlyList<string> ids, int round)
    {
        // Two-second builds on four slots: once the failover is over, some job ends every few
        // seconds. No job ending for StallAfter means nothing will.
        var deadline = DateTime.UtcNow + Timeout;
        var progressAt = DateTime.UtcNow;
        var open = ids.ToList();
        while (open.Count > 0 && DateTime.UtcNow < deadline && DateTime.UtcNow - progressAt < StallAfter)
        {
            var still = new List<string>();
            foreach (var id in open)
            {
                try
                {
                    if (FarmProcess.Status(await api.GetJobAsync(id)) is not ("completed" or "failed" or "cancelled")) still.Add(id);
                }
                catch (HttpRequestException) { still.Add(id); }
            }
            if (still.Count < open.Count) progressAt = DateTime.UtcNow;
            open = still;
            if (open.Count > 0) await Task.Delay(500);
        }
        if (open.Count == 0) return;
        var statuses = new List<string>();
        foreach (var id in open) statuses.Add($"{id} {FarmProcess.Status(await api.GetJobAsync(id))}");
        var servers = JsonNode.Parse(await api.Http.GetStringAsync("api/v1/infrastructure/build-servers"))!["servers"]!.AsArray();
        var slots = new List<string>();
        foreach (var server in servers)
        {
            var holders = new List<string>();
            foreach (var holder in server!["running_jobs"]!.AsArray())
                holders.Add($"{holder} ({FarmProcess.Status(await api.GetJobAsync(holder!.GetValue<string>()))})");
            slots.Add($"{server["id"]}: {server["slots_in_use"]}/{server["max_concurrent_jobs"]} slots held by [{string.Join(", ", holders)}]");
        }
        Assert.Fail($"round {round}: {open.Count} of {ids.Count} accepted jobs did not end (none ended for {StallAfter.TotalSeconds:0} s):\n  {string.Join("\n  ", statuses)}\n"
            + $"servers:\n  {string.Join("\n  ", slots)}");
    }

    private static async Task<(string? Id, string? Refusal)> TrySubmitAsync(FarmProcess node, JsonObject job)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var r = await node.Http.PostAsJsonAsync("api/v1/infrastructure/build-jobs", job, cts.Token);
            var text = await r.Content.ReadAsStringAsync(cts.Token);
            if (r.StatusCode != HttpStatusCode.Accepted) return (null, $"{(int)r.StatusCode}");
            return (JsonNode.Parse(text)!["id"]!.GetValue<string>(), null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (null, e.GetType().Name);
        }
    }

    /// <summary>The running node that most recently logged starting the queue singleton.</summary>
    private static async Task<FarmProcess> QueueNodeAsync(FarmCluster cluster) =>
        (await Eventually.ValueAsync(() => Task.FromResult(cluster.Nodes.Where(n => n.IsRunning)
                .Select(n => (Node: n, At: LastQueueStart(n)))
                .Where(x => x.At is not null)
                .OrderByDescending(x => x.At)
                .FirstOrDefault().Node), node => node is not null, Timeout, "a running node hosting the queue singleton"))!;

    private static DateTime? LastQueueStart(FarmProcess node)
    {
        string text;
        try
        {
            using var s = new FileStream(node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            text = new StreamReader(s).ReadToEnd();
        }
        catch (IOException) { return null; }
        DateTime? last = null;
        foreach (var line in text.Split('\n').Where(l => l.Contains(QueueStarted, StringComparison.Ordinal)))
        {
            var m = Timestamp().Match(line);
            if (m.Success && DateTime.TryParseExact(m.Groups[1].Value, "MM/dd/yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                last = at;
        }
        return last;
    }

    [GeneratedRegex(@"\]\[(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.\d{3})Z\]")] private static partial Regex Timestamp();
}
