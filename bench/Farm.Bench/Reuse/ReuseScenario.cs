using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;

namespace KernelFarm.Bench.Reuse;

/// <summary>
/// Result reuse (issue 15). One real sshd build server (x86_64, gcc-12, two slots) and the real host:
/// - an identical resubmission: the fake tree's x86_64 tinyconfig at its full commit id, built once
///   (the baseline: POST → completed), then submitted again 20 times once the job index lists the build;
///   each figure is POST → the job's <c>completed</c> transition (the host's clock, the same machine),
///   p50 and p90. Target ≤ 100 ms.
/// - a 70-build TuxSuite plan (10 with --quick; x86_64, gcc-12, tinyconfig with one distinct CONFIG_ line
///   each) submitted twice with the same --git-sha: the second plan's wall time (POST → its ended_at)
///   over the first's. Target ≤ 2 %.
/// </summary>
public sealed class ReuseScenario : IScenario
{
    public string Name => "reuse";
    public string Description => "an identical resubmission and a 70-build plan submitted twice: completed from earlier results vs built";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rows = new List<BenchRow>();
        await using var rig = await SshFarmRig.StartAsync(context, "reuse", "127.0.0.93", withKernel: false, ct, toolchain: "gcc-12", slots: 2);
        context.Log($"build server {rig.Server}, farm {rig.Host.BaseAddress}");

        // Warm-up (JIT, first SSH connection, mirror): a job of another config, not reused by what follows.
        await rig.RunAsync(Job(rig, "allnoconfig"), Timeout, ct);

        var built = await rig.RunAsync(Job(rig, "tinyconfig"), Timeout, ct);
        var builtId = built.Job["id"]!.GetValue<string>();
        await IndexedAsync(rig, builtId, ct);
        var again = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var run = await rig.RunAsync(Job(rig, "tinyconfig"), Timeout, ct);
            if (run.Job["reused_from"]?.GetValue<string>() != builtId)
                throw new InvalidOperationException($"resubmission {i} was not reused: {run.Job.ToJsonString()}");
            again.Add(run.Total.TotalMilliseconds);
        }
        context.Log($"resubmissions: {string.Join(", ", again.Select(a => a.ToString("F0", CultureInfo.InvariantCulture)))} ms; the build {built.Total.TotalMilliseconds:F0} ms");
        foreach (var p in new[] { 50, 90 })
            rows.Add(new BenchRow(Name, $"identical resubmission: POST → completed (reused), p{p} of 20", Percentiles.Of(again, p), "ms")
            {
                Baseline = built.Total.TotalMilliseconds,
                BaselineLabel = "the build (fake tree, warm mirror)",
                Target = Target.Max(100, "<= 100 ms"),
                Note = "the job's actor asks the pool which compilers it could run and the job index for a completed build with one of those keys, hard-links its files into the job's folder and completes; the queue never places it",
            });

        var builds = context.Quick ? 10 : 70;
        var plan = Plan(builds);
        var first = await PlanAsync(rig, plan, ct);
        await IndexedAsync(rig, null, ct, expectCompleted: builds + 22);
        var second = await PlanAsync(rig, plan, ct);
        context.Log($"{builds}-build plan: first {first.Wall.TotalSeconds:F1} s, again {second.Wall.TotalMilliseconds:F0} ms ({second.Reused}/{builds} reused)");
        if (second.Reused != builds) throw new InvalidOperationException($"only {second.Reused} of {builds} builds were reused");
        rows.Add(new BenchRow(Name, $"{builds}-build plan submitted again: wall time (POST → plan ended)", second.Wall.TotalSeconds, "s")
        {
            Baseline = first.Wall.TotalSeconds,
            BaselineLabel = $"the same plan built (2 slots)",
            Target = Target.Max(0.02 * first.Wall.TotalSeconds, "<= 2 % of the first"),
            Note = $"every build completed from the first plan's result ({second.Reused}/{builds}); the plan's actor queues its jobs one by one and each looks its result up",
        });
        return rows;
    }

    private static JsonObject Job(SshFarmRig rig, string config) => new()
    {
        ["source_repository"] = rig.FakeTreeUrl,
        ["branch"] = "master",
        ["commit_hash"] = rig.FakeTreeHead,
        ["target_architecture"] = "x86_64",
        ["toolchain"] = "gcc-12",
        ["build_config"] = new JsonObject { ["kernel_config"] = config },
    };

    private static string Plan(int builds)
    {
        var yaml = new StringBuilder("version: 1\nname: reuse bench\njobs:\n- name: matrix\n  builds:\n");
        for (var i = 0; i < builds; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_BENCH_{i}=y]}}\n");
        return yaml.ToString();
    }

    private sealed record PlanRun(TimeSpan Wall, int Reused);

    private static async Task<PlanRun> PlanAsync(SshFarmRig rig, string plan, CancellationToken ct)
    {
        var submittedAt = DateTimeOffset.UtcNow;
        var url = $"api/v1/plans?git_repo={Uri.EscapeDataString(rig.FakeTreeUrl)}&git_ref=master&git_sha={rig.FakeTreeHead}";
        using var r = await rig.Http.PostAsync(url, new StringContent(plan, Encoding.UTF8, "application/yaml"), ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"plan: {(int)r.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/plans/{id}", ct))!;
            if (view["state"]!.GetValue<string>() == "ended")
            {
                if (view["result"]!.GetValue<string>() != "pass") throw new InvalidOperationException($"plan {id}: {view.ToJsonString()}");
                var reused = 0;
                foreach (var b in view["builds"]!.AsArray())
                {
                    var job = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{b!["job_id"]!.GetValue<string>()}", ct))!;
                    if (job["reused_from"] is not null) reused++;
                }
                return new PlanRun(view["ended_at"]!.GetValue<DateTimeOffset>() - submittedAt, reused);
            }
            if (clock.Elapsed > Timeout) throw new TimeoutException($"plan {id} did not end in {Timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>The job index trails the journal by a batch: reuse finds what it lists.</summary>
    private static async Task IndexedAsync(SshFarmRig rig, string? id, CancellationToken ct, int expectCompleted = 0)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var list = JsonNode.Parse(await rig.Http.GetStringAsync("api/v1/infrastructure/build-jobs?status=completed&limit=200", ct))!;
            var jobs = list["jobs"]!.AsArray();
            if (id is null ? list["total"]!.GetValue<int>() >= expectCompleted : jobs.Any(j => j!["id"]!.GetValue<string>() == id)) return;
            await Task.Delay(50, ct);
        }
        throw new TimeoutException("the job index did not list the builds within 60 s");
    }
}
