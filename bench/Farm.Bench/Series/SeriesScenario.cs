using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Series;

/// <summary>
/// Patch series (issue 16) on the real linux-6.1, tinyconfig x86_64, gcc-12, one real sshd server,
/// boot test on throughout (so every series here is the same kind and shares the kept tree):
/// - the baseline: a cold build of the base as a plain job, ccache off, in a fresh workspace;
/// - a 10-patch series of one-file patches (a line each in a file tinyconfig compiles), ccache
///   off, no kept tree yet: its wall time (POST → the job's end) over the cold build's, target
///   ≤ 2.5×; and its median patch step (apply, rebuild, boot) over the cold build's, target ≤ 15 %;
/// - the headline: a one-patch series on the same base once the tree is kept on the server:
///   POST → report with the patch built and booted, target ≤ 30 s.
/// </summary>
public sealed class SeriesScenario : IScenario
{
    public string Name => "series";
    public string Description => "patch series on linux-6.1 tinyconfig: per-patch step and a 10-patch series vs a cold build; one patch on a warm tree";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(40);

    /// <summary>Files tinyconfig compiles, one line appended to each (a comment-free, harmless declaration).</summary>
    private static readonly string[] Files =
    [
        "kernel/panic.c", "kernel/exit.c", "kernel/fork.c", "kernel/sys.c", "kernel/signal.c",
        "mm/memory.c", "mm/mmap.c", "fs/open.c", "fs/read_write.c", "init/main.c",
    ];

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rows = new List<BenchRow>();
        await using var rig = await SshFarmRig.StartAsync(context, "series", "127.0.0.94", withKernel: true, ct, toolchain: "gcc-12");
        context.Log($"build server {rig.Server}, farm {rig.Host.BaseAddress}");
        using var series = PatchSeries.On(SshFarmRig.KernelRepository, sparse: true);
        var patches = context.Quick ? 3 : 10;
        for (var i = 0; i < patches; i++)
            series.Patch($"bench: patch {i + 1}", Files[i], series.Read(Files[i]) + $"\nint kfarm_bench_{i};\n");

        var cold = await rig.RunAsync(Request(rig, series.Base, ccache: false), Timeout, ct);
        var coldSeconds = cold.Total.TotalSeconds;
        context.Log($"cold build: {coldSeconds:F1} s (load {cold.LoadAverage:F1})");

        var (wall, report) = await SeriesAsync(rig, Request(rig, series.Base, ccache: false, mbox: series.Mbox()), ct);
        var steps = report["steps"]!.AsArray().Skip(1).Select(s => s!["seconds"]!.GetValue<double>()).ToList();
        context.Log($"{patches}-patch series: {wall.TotalSeconds:F1} s; base {report["steps"]![0]!["seconds"]} s, steps {string.Join(", ", steps)} s");
        rows.Add(new BenchRow(Name, "one-file patch: its step (git am, rebuild, boot), median", Percentiles.Of(steps, 50), "s")
        {
            Baseline = coldSeconds,
            BaselineLabel = "a cold build of the base (no ccache, fresh workspace)",
            Target = Target.Max(0.15 * coldSeconds, "<= 15 % of the cold build"),
            Note = "make recompiles the patched file and relinks; the step's diagnostics come from every object's kept stderr",
        });
        rows.Add(new BenchRow(Name, $"{patches}-patch series, POST → ended", wall.TotalSeconds, "s")
        {
            Baseline = coldSeconds,
            BaselineLabel = "a cold build of the base",
            Target = Target.Max(2.5 * coldSeconds, "<= 2.5 x the cold build"),
            Note = "the base built cold (ccache off), then each patch incrementally in the same tree",
        });

        using var one = PatchSeries.On(SshFarmRig.KernelRepository, sparse: true);
        one.Patch("bench: one more", "kernel/panic.c", one.Read("kernel/panic.c") + "\nint kfarm_bench_headline;\n");
        // the same kind as the 10-patch series (ccache is in the tree key: it changes every compile command)
        var (headline, warm) = await SeriesAsync(rig, Request(rig, one.Base, ccache: false, mbox: one.Mbox()), ct);
        if (warm["warm_tree"]?.GetValue<bool>() != true) throw new InvalidOperationException("the one-patch series did not start from the kept tree: " + warm.ToJsonString());
        var boot = warm["steps"]![1]!["boot"]?["status"]?.GetValue<string>();
        if (boot != "pass") throw new InvalidOperationException("the patch did not boot: " + warm.ToJsonString());
        context.Log($"one-patch series on the kept tree: {headline.TotalSeconds:F1} s (base {warm["steps"]![0]!["seconds"]} s, patch {warm["steps"]![1]!["seconds"]} s)");
        rows.Add(new BenchRow(Name, "one-patch series on a kept tree, boot test on: POST → report", headline.TotalSeconds, "s")
        {
            Baseline = coldSeconds,
            BaselineLabel = "a cold build of the base",
            Target = Target.Max(30, "<= 30 s"),
            Note = "the server kept the 10-patch series' tree: the base is checked out over it (only changed files) and rebuilt incrementally, then the patch; both boot",
        });
        return rows;
    }

    private static JsonObject Request(SshFarmRig rig, string commit, bool ccache, string? mbox = null)
    {
        var request = new JsonObject
        {
            ["source_repository"] = rig.KernelUrl,
            ["branch"] = "master",
            ["commit_hash"] = commit,
            ["target_architecture"] = "x86_64",
            ["toolchain"] = "gcc-12",
            ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig", ["boot_test"] = true, ["ccache"] = ccache },
        };
        if (mbox is not null) request["mbox"] = mbox;
        return request;
    }

    /// <summary>POST → the job's end (its last transition, the host's clock); the report.</summary>
    private static async Task<(TimeSpan Wall, JsonObject Report)> SeriesAsync(SshFarmRig rig, JsonObject request, CancellationToken ct)
    {
        var submittedAt = DateTimeOffset.UtcNow;
        using var r = await rig.Http.PostAsJsonAsync("api/v1/series", request, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"series: {(int)r.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var report = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/series/{id}/report", ct))!.AsObject();
            if (report["result"]!.GetValue<string>() != "running")
            {
                if (report["result"]!.GetValue<string>() != "passed") throw new InvalidOperationException($"series {id}: {report.ToJsonString()}");
                var job = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}", ct))!;
                var ended = job["transitions"]!.AsArray().Last()!["at"]!.GetValue<DateTimeOffset>();
                return (ended - submittedAt, report);
            }
            if (clock.Elapsed > Timeout) throw new TimeoutException($"series {id} did not end in {Timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
