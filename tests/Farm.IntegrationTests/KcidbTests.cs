using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// GET /api/v1/kcidb on a real farm over the fixture tree: a completed job, a failed one and a small
/// plan, fetched with each filter; every document is checked with kcidb-io's own v5.3 schema (docs/kcidb.md).
/// </summary>
[Trait("Tier", "Full")] // its own farm and four builds
public sealed class KcidbTests
{
    private static async Task<(string Text, JsonObject Doc)> KcidbAsync(FarmProcess farm, string query)
    {
        using var r = await farm.Http.GetAsync("api/v1/kcidb" + query);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{query}: {(int)r.StatusCode} {text}");
        await KcidbSchema.AssertValidAsync(text);
        return (text, JsonNode.Parse(text)!.AsObject());
    }

    private static List<JsonObject> Items(JsonObject doc, string kind) => doc[kind]!.AsArray().Select(x => x!.AsObject()).ToList();

    [Fact]
    public async Task The_farms_jobs_and_plans_are_valid_kcidb_with_each_filter()
    {
        using var root = TempDirectory.Create("kcidb");
        await using var server = await SshBuildServer.StartAsync("127.0.0.31");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"),
            new Dictionary<string, string> { ["Farm__Kcidb__Origin"] = "kfarm_test" });
        await farm.RegisterServerAsync(server, "kcidb-a", ["x86_64", "arm64"],
            [FarmProcess.Toolchain("gcc-12", ["x86_64"]), FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")], maxJobs: 2);
        var repo = git.Url(FakeKernelTree.RepoDirName);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        JsonObject Request(string arch, params string[] fragments) => new()
        {
            ["source_repository"] = repo, ["branch"] = "master", ["commit_hash"] = "HEAD", ["target_architecture"] = arch,
            ["build_config"] = new JsonObject
            {
                ["kernel_config"] = "tinyconfig",
                ["kconfig_fragments"] = new JsonArray(fragments.Select(f => (JsonNode)f).ToArray()),
            },
        };
        var good = await farm.SubmitAsync(Request("x86_64"));
        var bad = await farm.SubmitAsync(Request("x86_64", "CONFIG_FAKE_BROKEN=y"));
        Assert.Equal("completed", FarmProcess.Status(await farm.WaitForEndAsync(good, TimeSpan.FromMinutes(3))));
        var failed = await farm.WaitForEndAsync(bad, TimeSpan.FromMinutes(3));
        Assert.Equal(("failed", "build"), (FarmProcess.Status(failed), failed["failure"]!["kind"]!.GetValue<string>()));

        // one job: its build, its checkout at the resolved commit, URLs of this farm
        var (_, one) = await KcidbAsync(farm, $"?job={good}");
        Assert.Equal((5, 3), (one["version"]!["major"]!.GetValue<int>(), one["version"]!["minor"]!.GetValue<int>()));
        var build = Assert.Single(Items(one, "builds"));
        var checkout = Assert.Single(Items(one, "checkouts"));
        Assert.Equal(($"kfarm_test:{good}", "PASS", "x86_64", "tinyconfig"), (build["id"]!.GetValue<string>(), build["status"]!.GetValue<string>(),
            build["architecture"]!.GetValue<string>(), build["config_name"]!.GetValue<string>()));
        Assert.Equal(checkout["id"]!.GetValue<string>(), build["checkout_id"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{40}$", checkout["git_commit_hash"]!.GetValue<string>());
        Assert.Equal(repo, checkout["misc"]!["source_repository"]!.GetValue<string>()); // git://: not a URL the schema takes
        Assert.StartsWith("gcc", build["compiler"]!.GetValue<string>());
        Assert.True(build["duration"]!.GetValue<double>() > 0);
        var logUrl = build["log_url"]!.GetValue<string>();
        Assert.Equal($"http://127.0.0.1:{farm.HttpPort}/api/v1/infrastructure/build-jobs/{good}/log", logUrl);
        Assert.Contains("kfarm", await farm.Http.GetStringAsync(logUrl));
        var outputs = build["output_files"]!.AsArray();
        Assert.NotEmpty(outputs);
        foreach (var file in outputs)
        {
            using var r = await farm.Http.GetAsync(file!["url"]!.GetValue<string>(), HttpCompletionOption.ResponseHeadersRead);
            Assert.True(r.IsSuccessStatusCode, $"{file["url"]}: {(int)r.StatusCode}");
        }

        // the failed one: FAIL, the same checkout
        var (_, failedDoc) = await KcidbAsync(farm, $"?job={bad}");
        var failedBuild = Assert.Single(Items(failedDoc, "builds"));
        Assert.Equal("FAIL", failedBuild["status"]!.GetValue<string>());
        Assert.Equal(checkout["id"]!.GetValue<string>(), failedBuild["checkout_id"]!.GetValue<string>());

        // a small plan: its builds only
        var plan = """
            version: 1
            name: kcidb
            jobs:
            - name: two
              builds:
              - {target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig}
              - {target_arch: arm64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_DEBUG_KERNEL=y]}
            """;
        using var submitted = await farm.Http.PostAsync($"api/v1/plans?git_repo={Uri.EscapeDataString(repo)}&git_ref=master",
            new StringContent(plan, Encoding.UTF8, "application/yaml"));
        var accepted = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, accepted.ToJsonString());
        var planId = accepted["id"]!.GetValue<string>();
        var ended = await Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/plans/{planId}"))!,
            p => p["state"]!.GetValue<string>() == "ended", TimeSpan.FromMinutes(4), "the plan to end");
        var planJobs = ended["builds"]!.AsArray().Select(b => $"kfarm_test:{b!["job_id"]!.GetValue<string>()}").Order().ToList();
        var (_, planDoc) = await KcidbAsync(farm, $"?plan={planId}");
        Assert.Equal(planJobs, Items(planDoc, "builds").Select(b => b["id"]!.GetValue<string>()).Order());
        Assert.Equal(["arm64", "x86_64"], Items(planDoc, "builds").Select(b => b["architecture"]!.GetValue<string>()).Order());
        Assert.All(Items(planDoc, "builds"), b => Assert.Equal("PASS", b["status"]!.GetValue<string>()));
        Assert.Single(Items(planDoc, "checkouts")); // one repository, commit and branch

        // since: all four; since now: none; no filter: the last day's
        var (_, sinceDoc) = await KcidbAsync(farm, $"?since={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(4, Items(sinceDoc, "builds").Count);
        var (_, later) = await KcidbAsync(farm, $"?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");
        Assert.Empty(Items(later, "builds"));
        var (_, all) = await KcidbAsync(farm, "");
        Assert.Equal(4, Items(all, "builds").Count);
        var (_, both) = await KcidbAsync(farm, $"?plan={planId}&job={good}"); // filters narrow each other
        Assert.Empty(Items(both, "builds"));

        // what is not there or not well-formed
        Assert.Equal(HttpStatusCode.NotFound, (await farm.Http.GetAsync("api/v1/kcidb?plan=00000000-0000-0000-0000-000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await farm.Http.GetAsync("api/v1/kcidb?job=00000000-0000-0000-0000-000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await farm.Http.GetAsync("api/v1/kcidb?since=yesterday")).StatusCode);

        // and the validator does refuse: the same document with a build's status the schema does not know
        var broken = JsonNode.Parse(JsonNode.Parse((await KcidbAsync(farm, $"?job={good}")).Text)!.ToJsonString())!.AsObject();
        broken["builds"]![0]!["status"] = "COMPLETED";
        var (code, output) = await KcidbSchema.CheckAsync(broken.ToJsonString());
        Assert.True(code == 1, output);
        Assert.Contains("status", output, StringComparison.Ordinal);
    }
}
