using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>The farm node is SIGKILLed in the middle of a bisection; the restarted node carries it to the same answer.</summary>
[Trait("Tier", "Full")] // fault injection: the farm host SIGKILLed
public sealed class BisectionCrashTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task A_bisection_survives_a_SIGKILL_of_its_node_and_finds_the_same_commit_with_no_step_lost()
    {
        await using var env = await FarmWithServers.StartAsync(x86Slots: 2);
        var farm = env.Farm;
        var (branch, good, commits) = BisectionTests.History(env.Tree.BareRepoPath, "crash", 16,
            i => i == 11 ? BisectionTests.MainWith("#error \"kfarm crash\"\n") : null);
        var body = env.Job(buildSeconds: 2);
        body.Remove("commit_hash");
        body["branch"] = branch;
        body["toolchain"] = "gcc-12";
        body["good"] = good;
        body["bad"] = branch;
        body["criterion"] = new JsonObject { ["kind"] = "build_fails" };
        body["max_parallel"] = 2;
        using var response = await farm.Http.PostAsJsonAsync("api/v1/bisections", body);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        // killed while the search runs: the ends judged and a probe building
        await BisectionTests.WaitAsync(farm, id, Timeout, b => b["state"]!.GetValue<string>() == "bisecting"
            && b["steps"]!.AsArray().Any(s => s!["role"]!.GetValue<string>() == "probe" && s["state"]!.GetValue<string>() == "building"));
        farm.Kill();
        await farm.RestartAsync();

        var b = await BisectionTests.WaitAsync(farm, id, Timeout);
        Assert.Equal("found", b["result"]!.GetValue<string>());
        Assert.Equal(commits[10], b["first_bad"]!["sha"]!.GetValue<string>());
        var steps = b["steps"]!.AsArray();
        // every step has a verdict and its own job; no commit was judged twice
        Assert.All(steps, s => Assert.NotNull(s!["verdict"]));
        Assert.Equal(steps.Count, steps.Select(s => s!["job_id"]!.GetValue<string>()).Distinct().Count());
        var judged = steps.Where(s => s!["index"] is not null && s["verdict"]!.GetValue<string>() != "superseded").Select(s => s!["index"]!.GetValue<int>()).ToList();
        Assert.Equal(judged.Count, judged.Distinct().Count());
        // the jobs themselves ended once each
        foreach (var s in steps.Where(s => s!["verdict"]!.GetValue<string>() != "superseded"))
            Assert.Contains(FarmProcess.Status(await farm.WaitForEndAsync(s!["job_id"]!.GetValue<string>(), Timeout)), new[] { "completed", "failed" });
    }
}
