using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>`kfarm plans …` (TuxSuite plan files, docs/plans.md) against the CLI tests' farm and its fake kernel tree.</summary>
public sealed partial class CliTests
{
    private static readonly TimeSpan PlanTimeout = TimeSpan.FromSeconds(240);

    /// <summary>Four builds: two that complete, one that fails to compile, one no server can run.</summary>
    private const string FailingPlan = """
        version: 1
        name: cli plan
        jobs:
        - name: matrix
          builds:
          - {target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig}
          - {target_arch: arm64, toolchain: gcc-12, kconfig: tinyconfig}
          - {target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_FAKE_BROKEN=y]}
          - {target_arch: powerpc, toolchain: gcc-12, kconfig: ppc64_defconfig}
        """;

    private const string PassingPlan = """
        {"version": 1, "name": "cli passing plan", "jobs": [{"name": "both", "builds": [
          {"target_arch": "x86_64", "toolchain": "gcc-12", "kconfig": "tinyconfig"},
          {"target_arch": "arm64", "toolchain": "gcc-12", "kconfig": ["tinyconfig", "CONFIG_DEBUG_KERNEL=y"]}]}]}
        """;

    private async Task<string> PlanFileAsync(string name, string text)
    {
        var path = Path.Combine(fixture.Work.Path, name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Row(string output, string arch) => Assert.Single(output.Split('\n'), l => l.StartsWith(arch + " ", StringComparison.Ordinal));

    [Fact]
    public async Task Plan_submit_wait_shows_the_matrix_and_exits_1_when_a_build_fails()
    {
        var file = await PlanFileAsync("plan.yaml", FailingPlan);
        var r = await Kfarm(["plan", "submit", file, "--git-repo", Env.RepoUrl, "--git-ref", "master", "--wait"], PlanTimeout);
        AssertExit(1, r);
        var id = Regex.Match(r.Stdout, "^plan ([0-9a-f-]{36}) accepted: ").Groups[1].Value;
        Assert.NotEqual("", id);
        // not a terminal: no cursor control, a line per change, then the final matrix and the result
        Assert.DoesNotContain('\u001b', r.Stdout);
        Assert.Contains("x86_64 tinyconfig+CONFIG_FAKE_BROKEN=y: failed\n", r.Stdout);
        Assert.Contains("arm64 tinyconfig: completed\n", r.Stdout);
        var final = r.Stdout[r.Stdout.LastIndexOf("ARCH ", StringComparison.Ordinal)..];
        Assert.Matches("^ARCH +tinyconfig +tinyconfig\\+CONFIG_FAKE_BROKEN=y +ppc64_defconfig\n", final);
        Assert.Matches("^x86_64 +completed +failed +-$", Row(final, "x86_64"));
        Assert.Matches("^arm64 +completed +- +-$", Row(final, "arm64"));
        Assert.Matches("^powerpc +- +- +unsupported$", Row(final, "powerpc"));
        Assert.Matches($"plan {id} fail: 2 completed, 1 failed, 1 unsupported in .+\n$", final);
        Assert.Contains($"kfarm: plan {id} fail", r.Stderr);

        var show = await Kfarm("plan", "show", id);
        AssertExit(0, show);
        Assert.Contains("result:       fail\n", show.Stdout);
        Assert.Matches("^powerpc +- +- +unsupported$", Row(show.Stdout, "powerpc"));
        Assert.Matches(@"(?m)^jobs\[0\]\.builds\[2\] +x86_64 gcc-12 tinyconfig\+CONFIG_FAKE_BROKEN=y +failed +[0-9a-f-]{36} +-$", show.Stdout);
        Assert.Matches(@"(?m)^jobs\[0\]\.builds\[3\] +powerpc gcc-12 ppc64_defconfig +unsupported +- +architecture powerpc ", show.Stdout);

        var json = await Kfarm("plan", "show", id, "--json");
        AssertExit(0, json);
        var plan = JsonNode.Parse(json.Stdout)!;
        Assert.Equal((id, "ended", "fail"), (plan["id"]!.GetValue<string>(), plan["state"]!.GetValue<string>(), plan["result"]!.GetValue<string>()));

        var cancel = await Kfarm("plan", "cancel", id);
        AssertExit(5, cancel); // 409: it has ended
        Assert.StartsWith("kfarm: ", cancel.Stderr);

        // the list (the job index's plan rows: they may trail the plan by a moment)
        var list = await Eventually.ValueAsync(() => Kfarm("plans", "list", "--limit", "100"),
            l => l.Stdout.Split('\n').Any(line => line.StartsWith(id, StringComparison.Ordinal) && line.Contains(" fail ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the plan in kfarm plans list");
        AssertExit(0, list);
    }

    [Fact]
    public async Task A_passing_plan_from_a_json_file_exits_0_and_with_json_prints_only_the_final_plan()
    {
        var file = await PlanFileAsync("plan.json", PassingPlan);
        var r = await Kfarm(["plans", "submit", file, "--git-repo", Env.RepoUrl, "--git-ref", "master", "--wait", "--json"], PlanTimeout);
        AssertExit(0, r);
        var plan = JsonNode.Parse(r.Stdout)!;
        Assert.Equal("pass", plan["result"]!.GetValue<string>());
        Assert.Equal(2, plan["counts"]!["completed"]!.GetValue<int>());
        Assert.Equal("cli passing plan", plan["name"]!.GetValue<string>());
        Assert.Contains("waiting for every build to end", r.Stderr); // progress goes to stderr
    }

    [Fact]
    public async Task On_a_terminal_plan_submit_wait_redraws_the_matrix_in_place()
    {
        var file = await PlanFileAsync("terminal-plan.json", PassingPlan);
        var r = await KfarmOnTerminal(["plan", "submit", file, "--git-repo", Env.RepoUrl, "--git-ref", "master", "--wait"], null, PlanTimeout);
        AssertExit(0, r);
        Assert.Matches("\u001b\\[[0-9]+A\r\u001b\\[J", r.Stdout);
        Assert.Matches("plan [0-9a-f-]{36} pass: 2 completed in ", r.Stdout);
    }

    [Fact]
    public async Task Plan_submit_returns_once_accepted_and_plan_cancel_cancels_its_builds()
    {
        var slow = "version: 1\njobs: [{name: slow, builds: [" + string.Join(", ", Enumerable.Range(0, 2).Select(_ =>
            "{target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig, environment: {FAKE_BUILD_SECONDS: '60'}}")) + "]}]";
        var file = await PlanFileAsync("slow.yaml", slow);
        var r = await Kfarm("plan", "submit", file, "--git-repo", Env.RepoUrl, "--git-ref", "master", "--json");
        AssertExit(0, r);
        var accepted = JsonNode.Parse(r.Stdout)!;
        var id = accepted["id"]!.GetValue<string>();
        Assert.Equal("running", accepted["state"]!.GetValue<string>());

        var cancel = await Kfarm("plan", "cancel", id);
        AssertExit(0, cancel);
        Assert.StartsWith($"plan {id} cancel requested", cancel.Stdout);
        var ended = await Eventually.ValueAsync(async () => await Farm.Http.GetFromJsonNode($"api/v1/plans/{id}"),
            p => p["state"]!.GetValue<string>() == "ended", TimeSpan.FromSeconds(90), $"plan {id} to end");
        Assert.Equal(2, ended["counts"]!["cancelled"]!.GetValue<int>());
        Assert.Equal("fail", ended["result"]!.GetValue<string>());

        AssertExit(3, await Kfarm("plan", "show", Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task A_malformed_plan_is_the_farms_400_naming_the_path_with_exit_2()
    {
        var file = await PlanFileAsync("bad.yaml", "version: 1\njobs: [{name: a, builds: [{target_arch: x86_64}]}]\n");
        var r = await Kfarm("plan", "submit", file, "--git-repo", Env.RepoUrl, "--git-ref", "master");
        AssertExit(2, r);
        Assert.Contains("jobs[0].builds[0].toolchain", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
