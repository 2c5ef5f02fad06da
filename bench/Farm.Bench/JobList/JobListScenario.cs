using System.Diagnostics;
using System.Text.Json;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.JobList;

/// <summary>
/// Issue 7: the dashboard's job list with a long history. The latency of one page of 50 jobs
/// (newest, the oldest page, a status filter) over HTTP with 10,000 jobs in the farm, each
/// against the same request when the farm holds 100: how much a long history costs a page.
/// </summary>
public sealed class JobListScenario : IScenario
{
    private const string Jobs = "api/v1/infrastructure/build-jobs";
    public string Name => "joblist";
    public string Description => "job list page latency with 10,000 jobs vs 100";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var (small, large) = context.Quick ? (100, 2_000) : (100, 10_000);
        var requests = context.Quick ? 50 : 200;
        var root = context.NewDirectory("joblist");
        // One draining server: every job is accepted and waits, so the history only grows.
        await JournalSeed.DrainingServersAsync(new Actors.FarmSettings { DataDirectory = Path.Combine(root, "data") },
            context.HoconDirectory, [Simulated.Server(0)]);
        await using var host = await HostProcess.StartAsync(context, root, new Dictionary<string, string> { ["Farm__MaxQueueSize"] = "100000" }, ct);
        using var http = host.Client(32);

        var queries = new (string Name, Func<int, string> Url)[]
        {
            ("newest page", _ => $"{Jobs}?limit=50"),
            ("oldest page", total => $"{Jobs}?limit=50&offset={Math.Max(0, total - 50)}"),
            ("status filter (none match)", _ => $"{Jobs}?limit=50&status=completed"),
        };

        await Flood.SubmitAsync(http, small, 32, ct);
        await WaitForTotalAsync(http, small, ct);
        var before = new Dictionary<string, (double P50, double P99)>();
        foreach (var (name, url) in queries) before[name] = await MeasureAsync(http, url(small), requests, ct);

        await Flood.SubmitAsync(http, large - small, 32, ct);
        await WaitForTotalAsync(http, large, ct);
        var rows = new List<BenchRow>();
        foreach (var (name, url) in queries)
        {
            var (p50, p99) = await MeasureAsync(http, url(large), requests, ct);
            context.Log($"joblist: {name}: p50 {p50:F2} ms, p99 {p99:F2} ms with {large:N0} jobs ({before[name].P50:F2}/{before[name].P99:F2} ms with {small})");
            rows.Add(new BenchRow(Name, $"{name}, p50, {large:N0} jobs", p50, "ms")
            {
                Baseline = before[name].P50,
                BaselineLabel = $"{small} jobs",
                Note = $"p99 {p99:F2} ms ({before[name].P99:F2} ms with {small}); {requests} sequential requests of 50 jobs, JSON over HTTP",
            });
        }
        return rows;
    }

    /// <summary>The job index trails the journal by its refresh interval: wait until it lists them all.</summary>
    private static async Task WaitForTotalAsync(HttpClient http, int total, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"{Jobs}?limit=1", ct));
            if (doc.RootElement.GetProperty("total").GetInt32() >= total) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the job index did not reach {total} jobs");
            await Task.Delay(200, ct);
        }
    }

    private static async Task<(double P50, double P99)> MeasureAsync(HttpClient http, string url, int requests, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++) await http.GetStringAsync(url, ct); // warm-up (JIT, connections)
        var samples = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await http.GetStringAsync(url, ct);
            samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return (Percentiles.Of(samples, 50), Percentiles.Of(samples, 99));
    }
}
