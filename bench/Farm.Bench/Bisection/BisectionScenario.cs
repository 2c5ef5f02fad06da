using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Bisection;

/// <summary>
/// Bisection (issue 17) over a synthetic history of 64 commits on the fake kbuild tree, commit 37
/// breaking the build (a real #error compiled by gcc), one real sshd server with 4 slots; each
/// build sleeps <see cref="BuildSeconds"/> before it compiles (BenchKnobs' BENCH_SLEEP_FIRST), so a
/// failing build costs what a passing one does, and the figures are about the search and the farm:
/// - 1 slot (max_parallel 1): the baseline; its probes must be log2(64) = 6, as git bisect run's;
/// - 4 slots: its wall time over the 1-slot one, target ≤ 0.5;
/// - the farm's own cost per step: the 1-slot wall time less the builds' own time (assigned → end), per build.
/// Both runs set no_cache, so neither takes the other's results.
/// </summary>
public sealed class BisectionScenario : IScenario
{
    public string Name => "bisection";
    public string Description => "bisection of a 64-commit fixture history: 1 slot vs 4 slots, steps, the farm's overhead per step";

    private const int Commits = 64, FirstBad = 37, BuildSeconds = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        await using var rig = await SshFarmRig.StartAsync(context, "bisection", "127.0.0.95", withKernel: false, ct, toolchain: "gcc-12", withBenchKnobs: true, slots: 4);
        using var history = PatchSeries.On(rig.FakeTreeRepository);
        var commits = new List<string>();
        for (var i = 1; i <= Commits; i++)
            commits.Add(i == FirstBad
                ? history.Patch($"bench: change {i} breaks the build", "init/main.c", "#error \"kfarm bench\"\nint start_kernel(void) { return 0; }\n")
                : history.Patch($"bench: change {i}", "Documentation/bench.txt", $"{i}\n"));
        history.Push("bench-bisect");

        var one = await BisectAsync(rig, history.Base, commits[^1], 1, ct);
        var four = await BisectAsync(rig, history.Base, commits[^1], 4, ct);
        foreach (var (k, run) in new[] { (1, one), (4, four) })
        {
            if (run.Result["first_bad"]?["sha"]?.GetValue<string>() != commits[FirstBad - 1])
                throw new InvalidOperationException($"{k} slot(s): not the breaking commit: {run.Result.ToJsonString()}");
            context.Log($"{k} slot(s): {run.Wall.TotalSeconds:F1} s, {run.Rounds} rounds, {run.Probes} probes, {run.Builds} builds, builds' own time {run.BuildSeconds:F1} s");
        }
        var overhead = (one.Wall.TotalSeconds - one.BuildSeconds) / one.Builds;
        return
        [
            new BenchRow(Name, "1 slot: commits tested between the ends", one.Probes, "")
            {
                Baseline = Math.Log2(Commits), BaselineLabel = "log2(64): git bisect run's steps",
                Target = Target.Max(Math.Ceiling(Math.Log2(Commits)), "<= log2(64) = 6"),
                Note = $"plus the two ends, which the farm checks first; {one.Rounds} rounds",
            },
            new BenchRow(Name, "4 slots: wall time, POST → ended", four.Wall.TotalSeconds, "s")
            {
                Baseline = one.Wall.TotalSeconds, BaselineLabel = "the same bisection with 1 slot",
                Target = Target.Max(0.5 * one.Wall.TotalSeconds, "<= 0.5 x the 1-slot time"),
                Note = $"{four.Rounds} rounds of up to 4 builds ({four.Builds} builds) against {one.Rounds} of one; each build {BuildSeconds} s of make",
            },
            new BenchRow(Name, "the farm's own time per step (1 slot)", overhead, "s")
            {
                Baseline = one.BuildSeconds / one.Builds, BaselineLabel = "a step's build on the server (assigned → end), mean",
                Note = "wall time less the builds' own time, per build: judging, deciding the next round, queueing and placing its job",
            },
        ];
    }

    private sealed record Run(TimeSpan Wall, JsonObject Result, int Rounds, int Probes, int Builds, double BuildSeconds);

    private static async Task<Run> BisectAsync(SshFarmRig rig, string good, string bad, int slots, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["source_repository"] = rig.FakeTreeUrl,
            ["branch"] = "bench-bisect",
            ["good"] = good,
            ["bad"] = bad,
            ["target_architecture"] = "x86_64",
            ["toolchain"] = "gcc-12",
            ["no_cache"] = true,
            ["max_parallel"] = slots,
            ["criterion"] = new JsonObject { ["kind"] = "build_fails" },
            ["build_config"] = new JsonObject
            {
                ["kernel_config"] = "tinyconfig",
                ["custom_env"] = new JsonObject { ["BENCH_SLEEP_FIRST"] = BuildSeconds.ToString() },
            },
        };
        var clock = Stopwatch.StartNew();
        using var r = await rig.Http.PostAsJsonAsync("api/v1/bisections", request, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"bisection: {(int)r.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        while (true)
        {
            var b = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/bisections/{id}", ct))!.AsObject();
            if (b["state"]!.GetValue<string>() == "ended")
            {
                var wall = b["ended_at"]!.GetValue<DateTimeOffset>() - b["created_at"]!.GetValue<DateTimeOffset>();
                var steps = b["steps"]!.AsArray().Select(s => s!.AsObject()).Where(s => s["verdict"]?.GetValue<string>() != "superseded").ToList();
                return new Run(wall, b, b["rounds"]!.AsArray().Count - 1,
                    steps.Count(s => s["role"]!.GetValue<string>() == "probe"), steps.Count,
                    steps.Sum(s => s["duration_s"]?.GetValue<double>() ?? 0));
            }
            if (clock.Elapsed > Timeout) throw new TimeoutException($"bisection {id} did not end in {Timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
