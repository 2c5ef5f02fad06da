using System.Globalization;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;

namespace KernelFarm.Bench.SecondBuild;

/// <summary>
/// Second build (issue 6, item 3). The same tree built again through the farm on the same real sshd
/// build server (x86_64 tinyconfig, default artifact patterns, ccache on): compares the warm build
/// (the server's git mirror and ccache filled by the build before) with the cold one (the server's
/// cache directory removed just before it), both measured the same way:
/// - workspace set-up: the job's time in <c>preparing</c> (its 'preparing' → 'configuring' transitions:
///   clone or mirror fetch + worktree checkout);
/// - total: POST → the <c>completed</c> transition (artifacts in storage).
/// Baseline = the cold build. Fake kbuild tree: 3 cold/warm pairs, medians (both modes). Real
/// linux-source-6.1 kernel (full mode only): cold, warm, then warm with build_config.ccache=false
/// (warm git mirror only), which separates what each cache saves.
/// </summary>
public sealed class SecondBuildScenario : IScenario
{
    public string Name => "second-build";
    public string Description => "the same tree again on the same server: workspace set-up and total, warm caches (git mirror + ccache) vs cold";

    private static readonly TimeSpan FakeTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan KernelTimeout = TimeSpan.FromMinutes(30);

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rows = new List<BenchRow>();
        await using var rig = await SshFarmRig.StartAsync(context, "second-build", "127.0.0.92", withKernel: !context.Quick, ct);
        context.Log($"build server {rig.Server}, farm {rig.Host.BaseAddress}");

        // Fake tree: untimed warm-up of the host (JIT, first SSH connection), then cold/warm pairs.
        await JobAsync(rig, rig.FakeTreeUrl, cold: true, ccache: true, FakeTimeout, ct);
        const int pairs = 3;
        var cold = new List<FarmRun>();
        var warm = new List<FarmRun>();
        for (var i = 0; i < pairs; i++)
        {
            cold.Add(await JobAsync(rig, rig.FakeTreeUrl, cold: true, ccache: true, FakeTimeout, ct));
            warm.Add(await JobAsync(rig, rig.FakeTreeUrl, cold: false, ccache: true, FakeTimeout, ct));
            context.Log($"fake tree {i + 1}/{pairs}: cold {cold[^1].Total.TotalSeconds:F2} s ({cold[^1].Steps()}), warm {warm[^1].Total.TotalSeconds:F2} s ({warm[^1].Steps()})");
        }
        double Median(List<FarmRun> runs, Func<FarmRun, TimeSpan> f) => Percentiles.Of(runs.Select(r => f(r).TotalSeconds).ToList(), 50);
        rows.Add(new BenchRow(Name, $"fake tree: workspace set-up (preparing), warm, median of {pairs}", Median(warm, r => r.InState("preparing")), "s")
        {
            Baseline = Median(cold, r => r.InState("preparing")),
            BaselineLabel = "cold caches",
            Note = $"warm: git fetch into the server's mirror (nothing new) + worktree checkout; cold: mirror created (git init, fetch --depth 1) + checkout; " +
                   $"warm {Range(warm, r => r.InState("preparing"))} s, cold {Range(cold, r => r.InState("preparing"))} s",
        });
        rows.Add(new BenchRow(Name, $"fake tree: submit → artifacts in storage, warm, median of {pairs}", Median(warm, r => r.Total), "s")
        {
            Baseline = Median(cold, r => r.Total),
            BaselineLabel = "cold caches",
            Note = $"warm {Range(warm, r => r.Total)} s, cold {Range(cold, r => r.Total)} s; the fake build compiles one file (init/main.c, a ccache hit when warm: {Ccache(warm[^1])})",
        });

        if (context.Quick)
        {
            context.Log("quick mode: the real kernel (cold, warm, warm without ccache: three linux-6.1 tinyconfig builds) runs in full mode only");
            return rows;
        }

        SshFarmRig.WarmPageCache(SshFarmRig.KernelRepository);
        context.Log("real kernel: cold caches, then warm (mirror + ccache), then warm mirror with ccache off; minutes each");
        var kCold = await JobAsync(rig, rig.KernelUrl, cold: true, ccache: true, KernelTimeout, ct);
        context.Log($"real kernel, cold: {kCold.Total.TotalSeconds:F1} s ({kCold.Steps()}; ccache {Ccache(kCold)})");
        var kWarm = await JobAsync(rig, rig.KernelUrl, cold: false, ccache: true, KernelTimeout, ct);
        context.Log($"real kernel, warm: {kWarm.Total.TotalSeconds:F1} s ({kWarm.Steps()}; ccache {Ccache(kWarm)})");
        var kMirror = await JobAsync(rig, rig.KernelUrl, cold: false, ccache: false, KernelTimeout, ct);
        context.Log($"real kernel, warm mirror, ccache off: {kMirror.Total.TotalSeconds:F1} s ({kMirror.Steps()})");

        const string kernel = "linux-6.1 tinyconfig x86_64";
        var coldPrep = kCold.InState("preparing").TotalSeconds;
        var coldTotal = kCold.Total.TotalSeconds;
        rows.Add(new BenchRow(Name, $"{kernel}: workspace set-up (preparing), warm", kWarm.InState("preparing").TotalSeconds, "s")
        {
            Baseline = coldPrep,
            BaselineLabel = "cold caches",
            Note = $"cold: git init + fetch --depth 1 of 78k files' objects over git:// + worktree checkout; warm: fetch of nothing new + checkout (1.5 GB). Cold steps: {kCold.Steps()}; " +
                   $"mean 1-min load average cold {kCold.LoadAverage:F1}, warm {kWarm.LoadAverage:F1}, warm without ccache {kMirror.LoadAverage:F1}",
        });
        rows.Add(new BenchRow(Name, $"{kernel}: submit → artifacts in storage, warm (mirror + ccache)", kWarm.Total.TotalSeconds, "s")
        {
            Baseline = coldTotal,
            BaselineLabel = "cold caches",
            Note = $"warm steps: {kWarm.Steps()}; ccache {Ccache(kWarm)} (cold: {Ccache(kCold)}); building warm/cold = " +
                   $"{kWarm.InState("building").TotalSeconds / kCold.InState("building").TotalSeconds:F2}× " +
                   "(published for warm ccache rebuilds: about 6.5× faster, tinyconfig 132 s → 19 s)",
        });
        rows.Add(new BenchRow(Name, $"{kernel}: workspace set-up (preparing), warm mirror, ccache off", kMirror.InState("preparing").TotalSeconds, "s")
        {
            Baseline = coldPrep,
            BaselineLabel = "cold caches",
        });
        rows.Add(new BenchRow(Name, $"{kernel}: submit → artifacts in storage, warm mirror, ccache off", kMirror.Total.TotalSeconds, "s")
        {
            Baseline = coldTotal,
            BaselineLabel = "cold caches",
            Note = $"the git mirror's share alone (the compile is cold): {kMirror.Steps()}",
        });
        return rows;
    }

    /// <param name="cold">Remove the server's caches first (git mirrors and ccache).</param>
    private static async Task<FarmRun> JobAsync(SshFarmRig rig, string url, bool cold, bool ccache, TimeSpan timeout, CancellationToken ct)
    {
        if (cold) rig.ClearCaches();
        var run = await rig.RunAsync(SshFarmRig.Tinyconfig(url, ccache), timeout, ct);
        await rig.WaitForWorkspacesRemovedAsync(ct);
        return run;
    }

    private static string Ccache(FarmRun run) =>
        run.Metadata()["ccache"] is JsonObject c
            ? $"{c["hits"]?.ToJsonString()} hits, {c["misses"]?.ToJsonString()} misses"
            : "off";

    private static string Range(List<FarmRun> runs, Func<FarmRun, TimeSpan> f)
    {
        var s = runs.Select(r => f(r).TotalSeconds).Order().ToList();
        return $"{s[0].ToString("F2", CultureInfo.InvariantCulture)}–{s[^1].ToString("F2", CultureInfo.InvariantCulture)}";
    }
}
