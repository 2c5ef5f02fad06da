using System.Diagnostics;
using System.Globalization;
using KernelFarm.Bench.FixedCost;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;

namespace KernelFarm.Bench.Drain;

/// <summary>
/// Issue 18, drain: 50 trivial jobs (10 with --quick) submitted at once to 2 build slots, jobs per
/// minute from the first POST to the last completion, and the farm's own CPU per job, against
/// Buildbot 3.7 with two workers of one build each running the same steps in the same run.
/// <para>
/// Farm: the real host (embedded SQLite) and one real sshd build server on 127.0.0.2 with 2 slots,
/// the fake kbuild tree of <see cref="FixedCostScenario"/> (clone through the mirror, tinyconfig,
/// make, collect + sha256, SFTP). The end is the last job's <c>completed</c> transition (the host's
/// clock), so the poll interval does not count; CPU is the host process's user + system time over
/// the drain (its HTTP API included: 50 POSTs and the polls of one waiting client).
/// </para>
/// <para>
/// Buildbot: <see cref="BuildbotPeer"/> with two workers, 50 build requests triggered at once, the
/// end when the master reports the last one complete; CPU is the master's and the workers' python
/// processes (not the git and make they run, as the farm's build server is not counted either).
/// </para>
/// </summary>
public sealed class DrainScenario : IScenario
{
    public string Name => "drain";
    public string Description => "50 trivial jobs on 2 slots: jobs/min and farm CPU per job, against Buildbot 3.7 with 2 workers";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        BuildbotPeer.RequireInstalled();
        var n = context.Quick ? 10 : 50;
        var timeout = TimeSpan.FromMinutes(10);

        await using var farm = await SshFarmRig.StartAsync(context, "drain", "127.0.0.2", withKernel: false, ct, toolchain: "gcc-12", cores: 2, slots: 2);
        await using var buildbot = await BuildbotPeer.StartAsync(farm.FakeTreeUrl, context.Log, ct, workers: 2);

        // Warm-ups, not counted: JIT, the SSH connection and the git mirror; the workers' attach and first clone.
        for (var i = 0; i < 5; i++) await farm.RunAsync(farm.FakeTreeJob(), timeout, ct);
        await buildbot.BurstAsync(2, timeout, ct);

        // A new .NET process keeps recompiling hot code (tiered JIT) for a while after its first jobs: wait until the
        // host is quiet (≤ 0.02 CPU s per second, 2 s windows, at most a minute) so the drain measures the steady state.
        var idlePerSecond = double.NaN;
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(60))
        {
            var before = ProcessCpu.Seconds(farm.Host.Pid);
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            idlePerSecond = (ProcessCpu.Seconds(farm.Host.Pid) - before) / 2;
            if (idlePerSecond <= 0.02) break;
        }
        context.Log($"drain: host quiet after {quiet.Elapsed.TotalSeconds:F0} s ({idlePerSecond:F3} CPU s per second)");

        // A first drain of the same size, not counted: code that only concurrent jobs run hot is recompiled (tier 1) here.
        await FarmDrainAsync(farm, n, timeout, ct);
        context.Log($"drain: host pid {farm.Host.Pid}, measured drain starts");
        var (farmSeconds, farmCpu) = await FarmDrainAsync(farm, n, timeout, ct);
        var bbCpu0 = buildbot.CpuSeconds();
        var bbSeconds = (await buildbot.BurstAsync(n, timeout, ct)).TotalSeconds;
        var bbCpu = buildbot.CpuSeconds() - bbCpu0;
        context.Log($"drain: farm {n} jobs in {farmSeconds:F1} s, CPU {farmCpu:F2} s; buildbot {bbSeconds:F1} s, CPU {bbCpu:F2} s");

        var farmRate = n / farmSeconds * 60;
        var bbRate = n / bbSeconds * 60;
        return
        [
            new BenchRow(Name, $"{n} trivial jobs on 2 slots: jobs per minute", farmRate, "jobs/min")
            {
                Baseline = bbRate,
                BaselineLabel = "Buildbot 3.7, 2 workers",
                Target = Target.Min(bbRate * 3, $"≥ 3× Buildbot ({bbRate * 3:F0} jobs/min)"),
                Note = $"all submitted at once; farm {farmSeconds:F1} s from the first POST to the last completed, Buildbot {bbSeconds:F1} s to the last build's end; farm/Buildbot {farmRate / bbRate:F2}",
            },
            new BenchRow(Name, "farm CPU per job while draining", farmCpu / n, "s")
            {
                Baseline = bbCpu / n,
                BaselineLabel = "Buildbot 3.7 master + workers",
                Target = Target.Max(0.05, "≤ 0.05 s per job"),
                Note = $"user + system time of the host process over the drain, divided by the jobs (build-server work not counted, on either side); measured once the host was quiet after the warm-ups (tiered JIT: {idlePerSecond:F3} CPU s per second idle)",
            },
        ];
    }

    private static async Task<(double Seconds, double Cpu)> FarmDrainAsync(SshFarmRig farm, int n, TimeSpan timeout, CancellationToken ct)
    {
        var cpu0 = ProcessCpu.Seconds(farm.Host.Pid);
        var started = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        for (var i = 0; i < n; i++) ids.Add(await farm.SubmitAsync(farm.FakeTreeJob(), ct));
        var last = started;
        foreach (var id in ids)
        {
            var job = await farm.WaitCompletedAsync(id, TimeSpan.FromMilliseconds(200), timeout, ct);
            var completed = job["transitions"]!.AsArray().Last(t => t!["status"]!.GetValue<string>() == "completed")!["at"]!.GetValue<string>();
            var at = DateTimeOffset.Parse(completed, CultureInfo.InvariantCulture);
            if (at > last) last = at;
        }
        var cpu = ProcessCpu.Seconds(farm.Host.Pid) - cpu0;
        return ((last - started).TotalSeconds, cpu);
    }
}
