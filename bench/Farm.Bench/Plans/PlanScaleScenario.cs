using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;

namespace KernelFarm.Bench.Plans;

/// <summary>
/// Issue 18, plans at scale: a 70-build TuxSuite plan (10 with --quick; x86_64, gcc-12, tinyconfig with
/// one distinct CONFIG_ line each, so no build reuses another's result) over the fake kbuild tree on
/// four real sshd build servers of one slot each (127.0.0.2–5), submitted once; its wall time
/// (POST → the plan's ended_at) against the ideal: the sum of its builds' server-side time (each
/// job's preparing → completed transitions, the host's clock) divided by the four slots. What the
/// ratio shows is the farm's own cost between builds and how evenly it fills the slots. The second
/// run of a plan by reuse is <c>reuse</c>'s figure.
/// </summary>
public sealed class PlanScaleScenario : IScenario
{
    private const int Servers = 4;
    public string Name => "plan-scale";
    public string Description => "a 70-build plan on 4 servers: wall time against the sum of its builds' server-side time over the slots";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var builds = context.Quick ? 10 : 70;
        await using var rig = await SshFarmRig.StartAsync(context, "plan-scale", "127.0.0.2", withKernel: false, ct, toolchain: "gcc-12", cores: 1, slots: 1);
        for (var i = 2; i <= Servers; i++)
            await rig.AddServerAsync($"127.0.0.{i + 1}", $"bench-server-{i}", "gcc-12", 1, ct);
        // Warm-ups, not counted: JIT and one git mirror per server.
        await Task.WhenAll(Enumerable.Range(0, Servers).Select(_ => rig.RunAsync(rig.FakeTreeJob(), TimeSpan.FromMinutes(5), ct)));

        var submittedAt = DateTimeOffset.UtcNow;
        var url = $"api/v1/plans?git_repo={Uri.EscapeDataString(rig.FakeTreeUrl)}&git_ref=master&git_sha={rig.FakeTreeHead}";
        using var r = await rig.Http.PostAsync(url, new StringContent(Plan(builds), Encoding.UTF8, "application/yaml"), ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"plan: {(int)r.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();

        var clock = Stopwatch.StartNew();
        JsonNode view;
        while (true)
        {
            view = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/plans/{id}", ct))!;
            if (view["state"]!.GetValue<string>() == "ended") break;
            if (clock.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException($"plan {id} did not end in 20 min");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        if (view["result"]!.GetValue<string>() != "pass") throw new InvalidOperationException($"plan {id}: {view.ToJsonString()}");
        var wall = (view["ended_at"]!.GetValue<DateTimeOffset>() - submittedAt).TotalSeconds;

        var serverSeconds = 0.0;
        var perServer = new Dictionary<string, int>();
        foreach (var b in view["builds"]!.AsArray())
        {
            var job = JsonNode.Parse(await rig.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{b!["job_id"]!.GetValue<string>()}", ct))!;
            var t = job["transitions"]!.AsArray().ToDictionary(x => x!["status"]!.GetValue<string>(), x => DateTimeOffset.Parse(x!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            serverSeconds += (t["completed"] - t["preparing"]).TotalSeconds;
            var server = job["server_id"]!.GetValue<string>();
            perServer[server] = perServer.GetValueOrDefault(server) + 1;
        }
        var ideal = serverSeconds / Servers;
        context.Log($"plan-scale: {builds} builds in {wall:F1} s; server-side {serverSeconds:F1} s in all, ideal {ideal:F1} s; per server {string.Join(", ", perServer.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
        return
        [
            new BenchRow(Name, $"{builds}-build plan on {Servers} servers × 1 slot: wall time", wall, "s")
            {
                Baseline = ideal,
                BaselineLabel = "the builds' server-side time ÷ slots",
                Target = Target.Max(ideal * 1.2, $"≤ 1.2× ideal ({ideal * 1.2:F1} s)"),
                Note = $"POST → plan ended; each build's server-side time is its preparing → completed (mean {serverSeconds / builds:F2} s); builds per server: {string.Join(", ", perServer.OrderBy(p => p.Key).Select(p => p.Value))}",
            },
        ];
    }

    private static string Plan(int builds)
    {
        var yaml = new StringBuilder("version: 1\nname: plan-scale bench\njobs:\n- name: matrix\n  builds:\n");
        for (var i = 0; i < builds; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_SCALE_{i}=y]}}\n");
        return yaml.ToString();
    }
}
