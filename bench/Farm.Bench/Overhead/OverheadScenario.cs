using System.Globalization;
using System.Security.Cryptography;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;

namespace KernelFarm.Bench.Overhead;

/// <summary>
/// Overhead (issue 6, item 1). Compares, on one real sshd build server on loopback (kfbuild, its own
/// host key) fed by a git daemon:
/// (a) the farm: POST of an x86_64 tinyconfig job (default artifact patterns, build_config.ccache=false,
///     the server's cache directory removed before the job, so the git mirror is made from nothing)
///     → the job's <c>completed</c> transition, i.e. artifacts verified and published in storage;
/// (b) the baseline: <see cref="SshScriptBuild"/>, a plain bash script doing the same steps by hand
///     (ssh: git clone --depth 1, make tinyconfig, make -jN bzImage, same KBUILD_BUILD_* environment;
///     scp of bzImage, vmlinux, System.map), timed from its start to its exit.
/// The ratio is farm / script. Fake kbuild tree: one untimed warm-up of each, then 3 (quick) or 5 (full)
/// alternating pairs, medians. Real linux-source-6.1 kernel (full mode only): one of each.
/// Target ≤ 1.03× on the real kernel.
/// </summary>
public sealed class OverheadScenario : IScenario
{
    public string Name => "overhead";
    public string Description => "farm job (submit → artifacts in storage) vs the same steps by a plain ssh+scp script; fake tree, real tinyconfig kernel in full mode";

    private static readonly TimeSpan FakeTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan KernelTimeout = TimeSpan.FromMinutes(30);

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rows = new List<BenchRow>();
        await using var rig = await SshFarmRig.StartAsync(context, "overhead", "127.0.0.91", withKernel: !context.Quick, ct);
        context.Log($"build server {rig.Server}, farm {rig.Host.BaseAddress}");

        // Fake tree: what the farm adds around a build that takes no time.
        await FarmAsync(rig, rig.FakeTreeUrl, FakeTimeout, ct);
        await SshScriptBuild.RunAsync(context, rig, rig.FakeTreeUrl, FakeTimeout, ct);
        var pairs = context.Quick ? 3 : 5;
        var farm = new List<FarmRun>();
        var script = new List<ScriptRun>();
        for (var i = 0; i < pairs; i++)
        {
            script.Add(await SshScriptBuild.RunAsync(context, rig, rig.FakeTreeUrl, FakeTimeout, ct));
            farm.Add(await FarmAsync(rig, rig.FakeTreeUrl, FakeTimeout, ct));
            context.Log($"fake tree {i + 1}/{pairs}: script {script[^1].Total.TotalSeconds:F2} s, farm {farm[^1].Total.TotalSeconds:F2} s ({farm[^1].Steps()})");
        }
        var farmMedian = Percentiles.Of(farm.Select(f => f.Total.TotalSeconds).ToList(), 50);
        var scriptMedian = Percentiles.Of(script.Select(s => s.Total.TotalSeconds).ToList(), 50);
        var medianFarm = farm.OrderBy(f => f.Total).ElementAt(farm.Count / 2);
        var fakeLoad = farm.Select(f => f.LoadAverage).Concat(script.Select(s => s.LoadAverage)).Average();
        rows.Add(new BenchRow(Name, $"fake tree: submit → artifacts in storage, median of {pairs}", farmMedian, "s")
        {
            Baseline = scriptMedian,
            BaselineLabel = "ssh+scp script",
            Note = $"farm {Range(farm.Select(f => f.Total))} s, script {Range(script.Select(s => s.Total))} s, mean 1-min load average {fakeLoad:F1}; " +
                   $"a build that takes no time, so this is the farm's fixed cost per job (median farm job: {medianFarm.Steps()}; " +
                   $"script: {script.OrderBy(s => s.Total).ElementAt(script.Count / 2).Steps()})",
        });

        if (context.Quick)
        {
            context.Log("quick mode: the real kernel (one farm job and one script build of linux-6.1 tinyconfig, minutes each) runs in full mode only");
            return rows;
        }

        SshFarmRig.WarmPageCache(SshFarmRig.KernelRepository);
        context.Log("real kernel: the ssh script (clone, tinyconfig, bzImage, scp), then the farm job; a few minutes each");
        await SshFarmRig.SettleDiskAsync(ct);
        var byHand = await SshScriptBuild.RunAsync(context, rig, rig.KernelUrl, KernelTimeout, ct);
        context.Log($"real kernel, script: {byHand.Total.TotalSeconds:F1} s ({byHand.Steps()})");
        var job = await FarmAsync(rig, rig.KernelUrl, KernelTimeout, ct);
        context.Log($"real kernel, farm: {job.Total.TotalSeconds:F1} s ({job.Steps()})");
        var same = SameFile(Path.Combine(job.Job["artifact_directory"]!.GetValue<string>(), "vmlinux"), Path.Combine(byHand.OutputDirectory, "vmlinux"));
        var target = Target.Max(1.03 * byHand.Total.TotalSeconds, "≤ 1.03× baseline");
        var farmS = job.Total.TotalSeconds;
        var scriptS = byHand.Total.TotalSeconds;
        rows.Add(new BenchRow(Name, "linux-6.1 tinyconfig x86_64: submit → artifacts in storage", farmS, "s")
        {
            Baseline = scriptS,
            BaselineLabel = "ssh+scp script",
            Target = target,
            Note = $"one run each, cold (no git mirror, ccache off, fresh workspaces), -j{rig.Cores}; mean 1-min load average during the farm job " +
                   $"{job.LoadAverage:F1}, during the script {byHand.LoadAverage:F1} (the machine is shared: compare only runs at similar load); farm − script = {farmS - scriptS:F1} s; " +
                   $"vmlinux {(same ? "byte-identical" : "DIFFERS")} between the two; " +
                   (target.MetBy(farmS) ? "" : "Missed: ") + StepByStep(job, byHand),
        });
        return rows;
    }

    private static async Task<FarmRun> FarmAsync(SshFarmRig rig, string url, TimeSpan timeout, CancellationToken ct)
    {
        rig.ClearCaches();
        await SshFarmRig.SettleDiskAsync(ct);
        var run = await rig.RunAsync(SshFarmRig.Tinyconfig(url, ccache: false), timeout, ct);
        await rig.WaitForWorkspacesRemovedAsync(ct);
        return run;
    }

    /// <summary>Where the farm's time went, step by step against the script's phases.</summary>
    private static string StepByStep(FarmRun farm, ScriptRun script)
    {
        double P(string k) => script.Phases.TryGetValue(k, out var v) ? v : double.NaN;
        var parts = new List<string>
        {
            $"until preparing (queue, placement, SSH, upload) {(farm.At("preparing") - farm.SubmittedAt).TotalSeconds:F1} s",
            $"preparing {farm.InState("preparing").TotalSeconds:F1} s vs clone {P("clone"):F1} s",
            $"configuring {farm.InState("configuring").TotalSeconds:F1} s vs {P("configure"):F1} s",
            $"building {farm.InState("building").TotalSeconds:F1} s vs {P("build"):F1} s",
            $"collecting + transferring {(farm.At("completed") - farm.At("collecting")).TotalSeconds:F1} s vs scp {P("scp"):F1} s",
        };
        return "farm vs script: " + string.Join("; ", parts);
    }

    private static string Range(IEnumerable<TimeSpan> samples)
    {
        var s = samples.Select(t => t.TotalSeconds).Order().ToList();
        return $"{s[0].ToString("F2", CultureInfo.InvariantCulture)}–{s[^1].ToString("F2", CultureInfo.InvariantCulture)}";
    }

    private static bool SameFile(string a, string b)
    {
        using var fa = File.OpenRead(a);
        using var fb = File.OpenRead(b);
        return SHA256.HashData(fa).AsSpan().SequenceEqual(SHA256.HashData(fb));
    }
}
