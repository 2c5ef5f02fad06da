using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.Memory;

/// <summary>
/// Issue 6, figure 7: the host's resident set (VmRSS) idle after start, and with 1,000 queued jobs,
/// as a ratio to idle. The jobs are accepted (one registered server that could run them, draining)
/// and wait: no server takes them.
/// </summary>
public sealed class MemoryScenario : IScenario
{
    public string Name => "memory";
    public string Description => "host RSS idle and with 1,000 queued jobs";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var jobs = context.Quick ? 200 : 1000;
        var settle = TimeSpan.FromSeconds(context.Quick ? 3 : 10);
        var rows = new List<BenchRow>();
        // As deployed (the Web SDK's server GC), then with workstation GC: how much of it is the collector's choice.
        foreach (var (gc, environment) in new[] { ("server GC", "1"), ("workstation GC", "0") })
        {
            var (idle, loaded, waiting, peak) = await MeasureAsync(context, jobs, settle, environment, ct);
            rows.Add(new BenchRow(Name, $"host RSS idle, {gc}", idle, "MiB") { Note = gc == "server GC" ? $"VmRSS {settle.TotalSeconds:F0} s after ready; server GC is the host's default" : null });
            rows.Add(new BenchRow(Name, $"host RSS with {waiting:N0} queued jobs, {gc}", loaded, "MiB")
            {
                Baseline = idle,
                BaselineLabel = "idle",
                Note = $"{(loaded - idle) * 1024 / Math.Max(1, waiting):F1} KiB per queued job; peak (VmHWM) {peak:F1} MiB",
            });
        }
        return rows;
    }

    private static async Task<(double Idle, double Loaded, int Waiting, double Peak)> MeasureAsync(BenchContext context, int jobs, TimeSpan settle,
        string serverGc, CancellationToken ct)
    {
        var root = context.NewDirectory("memory");
        await JournalSeed.DrainingServersAsync(new Actors.FarmSettings { DataDirectory = Path.Combine(root, "data") },
            context.HoconDirectory, [Simulated.Server(0)]);
        await using var host = await HostProcess.StartAsync(context, root, new Dictionary<string, string>
        {
            ["Farm__MaxQueueSize"] = "100000",
            ["DOTNET_gcServer"] = serverGc,
        }, ct);

        await Task.Delay(settle, ct);
        var idle = host.RssMiB();
        context.Log($"memory: idle {idle:F1} MiB after {settle.TotalSeconds:F0} s (DOTNET_gcServer={serverGc})");

        const int connections = 32;
        using var http = host.Client(connections);
        await Flood.SubmitAsync(http, jobs, connections, ct);
        var waiting = await host.WaitingAsync(ct);
        await Task.Delay(settle, ct);
        var loaded = host.RssMiB();
        var peak = host.PeakRssMiB();
        context.Log($"memory: {loaded:F1} MiB with {waiting:N0} jobs waiting (peak {peak:F1} MiB)");
        return (idle, loaded, waiting, peak);
    }
}
