using System.Diagnostics;
using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Jobs;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.Index;

/// <summary>
/// The job index with a long history: the host's resident set (VmRSS) with 100,000 completed jobs
/// in the jobs' journal, against the same host idle on an empty one. Twice: right after the index
/// has read the whole journal into its store (a first start, or an upgrade from the in-memory
/// index), and after a restart, when it resumes at its stored offset. Also how long the first
/// catch-up takes and how long a restarted index takes to list every job.
/// </summary>
public sealed class IndexMemoryScenario : IScenario
{
    private const string Jobs = "api/v1/infrastructure/build-jobs";
    public string Name => "index";
    public string Description => "host RSS with 100,000 completed jobs in the job index vs idle";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var jobs = context.Quick ? 10_000 : 100_000;
        var settle = TimeSpan.FromSeconds(context.Quick ? 3 : 10);

        double idle;
        var empty = context.NewDirectory("index-idle");
        await using (var host = await HostProcess.StartAsync(context, empty, new Dictionary<string, string>(), ct))
        {
            await Task.Delay(settle, ct);
            idle = host.RssMiB();
        }
        context.Log($"index: idle {idle:F1} MiB");

        var root = context.NewDirectory("index-loaded");
        var settings = new FarmSettings { DataDirectory = Path.Combine(root, "data") };
        await SeedAsync(context, settings, jobs, ct);

        // The first catch-up: the index reads the whole journal through the read journal from offset 0
        // (a first start, or an upgrade from the in-memory index).
        double caughtUp, caughtUpPeak;
        TimeSpan catchUp;
        await using (var host = await HostProcess.StartAsync(context, root, new Dictionary<string, string>(), ct))
        {
            catchUp = await WaitForTotalAsync(host, jobs, TimeSpan.FromMinutes(20), ct);
            await Task.Delay(settle, ct);
            (caughtUp, caughtUpPeak) = (host.RssMiB(), host.PeakRssMiB());
        }
        context.Log($"index: {caughtUp:F1} MiB (peak {caughtUpPeak:F1}) after reading {jobs:N0} jobs in {catchUp.TotalSeconds:F1} s");

        double resumed;
        TimeSpan resume;
        await using (var host = await HostProcess.StartAsync(context, root, new Dictionary<string, string>(), ct))
        {
            resume = await WaitForTotalAsync(host, jobs, TimeSpan.FromMinutes(2), ct);
            await Task.Delay(settle, ct);
            resumed = host.RssMiB();
        }
        context.Log($"index: {resumed:F1} MiB after a restart, every job listed {resume.TotalMilliseconds:N0} ms after ready");

        var target = Target.Max(Math.Round(idle * 1.5, 1), "<= 1.5x idle");
        var rows = new List<BenchRow>
        {
            new(Name, "host RSS idle (empty journal)", idle, "MiB") { Note = $"VmRSS {settle.TotalSeconds:F0} s after ready" },
            new(Name, $"host RSS with {jobs:N0} completed jobs, index restarted", resumed, "MiB")
            {
                Baseline = idle, BaselineLabel = "idle", Target = target,
                Note = $"resumes at its stored offset: every job listed {resume.TotalMilliseconds:N0} ms after ready",
            },
        };
        rows.Add(new(Name, $"host RSS with {jobs:N0} completed jobs, after the first catch-up", caughtUp, "MiB")
        {
            Baseline = idle, BaselineLabel = "idle", Target = target,
            Note = $"peak (VmHWM) {caughtUpPeak:F1} MiB while reading {jobs * 4:N0} events from offset 0",
        });
        rows.Add(new(Name, $"first catch-up, {jobs:N0} jobs ({jobs * 4:N0} events)", catchUp.TotalMilliseconds, "ms")
        {
            Note = $"from ready until the list's total counts every job: {jobs * 4 / catchUp.TotalSeconds:N0} events/s",
        });
        return rows;
    }

    /// <summary>The histories, written before the host starts, in the farm's own SQLite journal.</summary>
    private static async Task SeedAsync(BenchContext context, FarmSettings settings, int jobs, CancellationToken ct)
    {
        JournalSeed.EnableWal(settings);
        using var system = LocalFarmSystem.Create("bench-index-seed", settings);
        var writer = system.ActorOf(Props.Create(() => new JobHistoryWriter()));
        const int perBatch = 500;
        for (var first = 0; first < jobs; first += perBatch)
            await writer.Ask<Done>(new JobHistoryWriter.Write(first, Math.Min(perBatch, jobs - first)), TimeSpan.FromMinutes(2), ct);
        await system.Terminate();
        context.Log($"index: {jobs:N0} completed jobs written to the journal");
    }

    /// <summary>Until the list counts <paramref name="total"/> jobs: the index has read them all.</summary>
    private static async Task<TimeSpan> WaitForTotalAsync(HostProcess host, int total, TimeSpan timeout, CancellationToken ct)
    {
        using var http = host.Client(1);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"{Jobs}?limit=1", ct));
            if (doc.RootElement.GetProperty("total").GetInt32() >= total) return clock.Elapsed;
            if (clock.Elapsed > timeout) throw new TimeoutException($"the job index did not reach {total:N0} jobs in {timeout}:\n{host.Tail()}");
            await Task.Delay(250, ct);
        }
    }
}
