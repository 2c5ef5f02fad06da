using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Bisections over real sshd build servers, real git and the fake kbuild tree (whose init/main.c is
/// really compiled: #error and #warning in it are the compiler's). Each test makes its own history
/// on its own branch of the fixture repository.
/// </summary>
public sealed class BisectionTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private const string Main = "init/main.c";

    internal static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    /// <summary>A history of <paramref name="count"/> commits on a new branch; <paramref name="main"/> says what init/main.c holds after commit i (1-based), null: unchanged.</summary>
    internal static (string Branch, string Good, IReadOnlyList<string> Commits) History(string repository, string tag, int count, Func<int, string?> main)
    {
        using var series = PatchSeries.On(repository);
        var commits = new List<string>();
        for (var i = 1; i <= count; i++)
            commits.Add(main(i) is { } content
                ? series.Patch($"{tag}: change {i} to init", Main, content)
                : series.Patch($"{tag}: change {i}", "Documentation/bisect.txt", $"{tag} {i}\n"));
        var branch = $"bisect-{tag}-{Guid.NewGuid():N}"[..40];
        series.Push(branch);
        return (branch, series.Base, commits);
    }

    internal JsonObject Bisection(string branch, string good, string bad, JsonObject criterion, int? parallel = null, int buildSeconds = 0)
    {
        var body = Env.Job(buildSeconds: buildSeconds);
        body.Remove("commit_hash");
        body["branch"] = branch;
        body["toolchain"] = "gcc-12";
        body["good"] = good;
        body["bad"] = bad;
        body["criterion"] = criterion;
        if (parallel is not null) body["max_parallel"] = parallel;
        return body;
    }

    private async Task<string> StartAsync(JsonObject body)
    {
        using var response = await Farm.Http.PostAsJsonAsync("api/v1/bisections", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    internal static async Task<JsonObject> WaitAsync(FarmProcess farm, string id, TimeSpan timeout, Func<JsonObject, bool>? until = null)
    {
        until ??= b => b["state"]!.GetValue<string>() == "ended";
        return await Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/bisections/{id}"))!, until, timeout,
            $"bisection {id} to end", TimeSpan.FromMilliseconds(250));
    }

    private static IEnumerable<JsonNode> Steps(JsonObject b, string? role = null) =>
        b["steps"]!.AsArray().Where(s => role is null || s!["role"]!.GetValue<string>() == role)!;

    [Fact]
    public async Task One_slot_finds_the_commit_that_breaks_the_build_in_64_with_log2_steps_after_the_ends()
    {
        var (branch, good, commits) = History(Env.Tree.BareRepoPath, "break64", 64, i => i == 37 ? MainWith("#error \"kfarm bisect breaks\"\n") : null);
        var id = await StartAsync(Bisection(branch, good, branch, new JsonObject { ["kind"] = "build_fails" }, parallel: 1));
        var b = await WaitAsync(Farm, id, Timeout);

        Assert.Equal("found", b["result"]!.GetValue<string>());
        Assert.Equal(commits[36], b["first_bad"]!["sha"]!.GetValue<string>());
        Assert.Equal(37, b["first_bad"]!["index"]!.GetValue<int>());
        Assert.Contains("break64: change 37 to init", b["first_bad"]!["subject"]!.GetValue<string>());
        Assert.Contains(b["excerpt"]!.AsArray(), l => l!.GetValue<string>().Contains("kfarm bisect breaks"));
        Assert.Equal(64, b["commits"]!.GetValue<int>());
        Assert.Equal(good, b["good_commit"]!["sha"]!.GetValue<string>());
        Assert.Equal(commits[^1], b["bad_commit"]!["sha"]!.GetValue<string>());
        // git bisect run needs log2(64) = 6 steps between verified ends; one at a time, one per round
        var probes = Steps(b, "probe").ToList();
        Assert.Equal(6, probes.Count);
        Assert.All(probes, p => Assert.Contains(p!["verdict"]!.GetValue<string>(), new[] { "good", "bad" }));
        Assert.Equal(6, probes.Select(p => p!["round"]!.GetValue<int>()).Distinct().Count());
        Assert.Equal("good", Steps(b, "good").Single()!["verdict"]!.GetValue<string>());
        Assert.Equal("bad", Steps(b, "bad").Single()!["verdict"]!.GetValue<string>());
        Assert.Equal(1, b["window"]!["count"]!.GetValue<int>());
        // the rounds narrow: every window inside the one before
        var windows = b["rounds"]!.AsArray().Select(r => (First: r!["window"]!["first"]!.GetValue<int>(), Last: r["window"]!["last"]!.GetValue<int>())).ToList();
        Assert.Equal((1, 64), windows[0]);
        for (var i = 1; i < windows.Count; i++) Assert.True(windows[i].First >= windows[i - 1].First && windows[i].Last <= windows[i - 1].Last, $"round {i} widened");
        // every step ran on a server, unless it took an earlier build's result (the good end: other tests built it)
        Assert.All(Steps(b), s => Assert.True(s!["reused"]!.GetValue<bool>() || s["server"] is not null, s.ToJsonString()));
    }

    [Fact]
    public async Task A_warning_that_appears_is_found_past_commits_that_fail_for_another_reason_which_are_skipped()
    {
        // commits 6-7 break the build for another reason (the first round tests 6); 10 adds the warning (kept after)
        var (branch, good, commits) = History(Env.Tree.BareRepoPath, "warn", 12, i => i switch
        {
            6 or 7 => MainWith($"#error \"unrelated breakage {i}\"\n"),
            8 => MainWith(""),
            10 => MainWith("#warning \"kfarm bisect warning\"\n"),
            _ => null,
        });
        var id = await StartAsync(Bisection(branch, good, branch, new JsonObject { ["kind"] = "diagnostic", ["match"] = "kfarm bisect warning" }, parallel: 3));
        var b = await WaitAsync(Farm, id, Timeout);

        Assert.Equal("found", b["result"]!.GetValue<string>());
        Assert.Equal(commits[9], b["first_bad"]!["sha"]!.GetValue<string>());
        Assert.Contains(b["excerpt"]!.AsArray(), l => l!.GetValue<string>().Contains("warning: #warning \"kfarm bisect warning\""));
        var skipped = Steps(b).Where(s => s!["verdict"]?.GetValue<string>() == "skip").ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.InRange(s!["index"]!.GetValue<int>(), 6, 7));
        Assert.All(skipped, s => Assert.Contains("another reason", s!["detail"]!.GetValue<string>()));
        // no commit was built twice
        var tested = Steps(b).Where(s => s!["index"] is not null && s["verdict"]?.GetValue<string>() != "superseded").Select(s => s!["index"]!.GetValue<int>()).ToList();
        Assert.Equal(tested.Count, tested.Distinct().Count());
    }

    [Fact]
    public async Task Ends_that_do_not_behave_as_said_stop_the_bisection_with_that_answer()
    {
        var (branch, good, commits) = History(Env.Tree.BareRepoPath, "ends", 4, i => i == 2 ? MainWith("#error \"kfarm ends\"\n") : null);
        // bad is commit 1, which builds: it does not fail the criterion
        var passes = await WaitAsync(Farm, await StartAsync(Bisection(branch, good, commits[0], new JsonObject { ["kind"] = "build_fails" })), Timeout);
        Assert.Equal("ends_wrong", passes["result"]!.GetValue<string>());
        Assert.Contains("the bad commit", passes["message"]!.GetValue<string>());
        Assert.Contains("passes the criterion", passes["message"]!.GetValue<string>());
        Assert.DoesNotContain(Steps(passes, "probe"), s => s!["verdict"]?.GetValue<string>() is "good" or "bad");

        // good is commit 2, which already fails
        var fails = await WaitAsync(Farm, await StartAsync(Bisection(branch, commits[1], commits[3], new JsonObject { ["kind"] = "build_fails" })), Timeout);
        Assert.Equal("ends_wrong", fails["result"]!.GetValue<string>());
        Assert.Contains("the good commit", fails["message"]!.GetValue<string>());
        Assert.Contains(fails["excerpt"]!.AsArray(), l => l!.GetValue<string>().Contains("kfarm ends"));

        // swapped ends: good is not an ancestor of bad
        var swapped = await WaitAsync(Farm, await StartAsync(Bisection(branch, commits[3], good, new JsonObject { ["kind"] = "build_fails" })), Timeout);
        Assert.Equal("failed", swapped["result"]!.GetValue<string>());
        Assert.Contains("is not an ancestor of the bad commit", swapped["message"]!.GetValue<string>());

        // a ref that is not in the repository
        var unknown = await WaitAsync(Farm, await StartAsync(Bisection(branch, "no-such-tag", branch, new JsonObject { ["kind"] = "build_fails" })), Timeout);
        Assert.Equal("failed", unknown["result"]!.GetValue<string>());
        Assert.Contains("no-such-tag is neither a commit nor a ref", unknown["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refs_resolve_on_the_server_and_a_tag_works_as_an_end()
    {
        var (branch, _, commits) = History(Env.Tree.BareRepoPath, "tags", 6, i => i == 4 ? MainWith("#error \"kfarm tags\"\n") : null);
        var tag = $"v-{branch[7..20]}";
        Proc.Run("git", ["-C", Env.Tree.BareRepoPath, "tag", tag, commits[1]], throwOnError: true);
        var b = await WaitAsync(Farm, await StartAsync(Bisection(branch, tag, branch, new JsonObject { ["kind"] = "build_fails", ["match"] = "kfarm tags" })), Timeout);
        Assert.Equal("found", b["result"]!.GetValue<string>());
        Assert.Equal(commits[3], b["first_bad"]!["sha"]!.GetValue<string>());
        Assert.Equal(commits[1], b["good_commit"]!["sha"]!.GetValue<string>());
        Assert.Equal(4, b["commits"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_hostile_commit_subject_reaches_the_report_without_its_control_characters()
    {
        // a subject with a terminal title escape and a bell: harmless text once the farm has it
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("docs: harmless", "Documentation/hostile.txt", "1\n");
        var evil = series.Patch("init: \u001b]0;pwned\u0007 \u001b[2J<script>alert(1)</script>", Main, MainWith("#error \"kfarm hostile\"\n"));
        var branch = $"bisect-hostile-{Guid.NewGuid():N}"[..30];
        series.Push(branch);
        var b = await WaitAsync(Farm, await StartAsync(Bisection(branch, series.Base, branch, new JsonObject { ["kind"] = "build_fails" })), Timeout);
        Assert.Equal(evil, b["first_bad"]!["sha"]!.GetValue<string>());
        var subject = b["first_bad"]!["subject"]!.GetValue<string>();
        Assert.Equal("init: ]0;pwned [2J<script>alert(1)</script>", subject);
        Assert.DoesNotContain(subject, char.IsControl);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_field_named()
    {
        async Task<string> Refused(JsonObject body)
        {
            using var response = await Farm.Http.PostAsJsonAsync("api/v1/bisections", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadAsStringAsync();
        }
        var ok = Bisection("master", Env.Tree.InitialCommit, "master", new JsonObject { ["kind"] = "build_fails" });
        Assert.Contains("\"good\"", await Refused(Without(ok, "good")));
        Assert.Contains("\"criterion\"", await Refused(Without(ok, "criterion")));
        Assert.Contains("\"toolchain\"", await Refused(Without(ok, "toolchain")));
        var option = JsonNode.Parse(ok.ToJsonString())!.AsObject();
        option["bad"] = "--upload-pack=touch /tmp/kfarm-pwned";
        Assert.Contains("\"bad\"", await Refused(option));
        var size = JsonNode.Parse(ok.ToJsonString())!.AsObject();
        size["criterion"] = new JsonObject { ["kind"] = "size_grows" };
        Assert.Contains("criterion.threshold_bytes", await Refused(size));
        var k = JsonNode.Parse(ok.ToJsonString())!.AsObject();
        k["max_parallel"] = 0;
        Assert.Contains("max_parallel", await Refused(k));
        var job = Env.Job();
        job["list_range"] = new JsonObject { ["good"] = "a", ["bad"] = "b" };
        using var direct = await Farm.Http.PostAsJsonAsync("api/v1/infrastructure/build-jobs", job);
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.Contains("list_range", await direct.Content.ReadAsStringAsync());
        Assert.False(File.Exists("/tmp/kfarm-pwned"));

        using var missing = await Farm.Http.GetAsync($"api/v1/bisections/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static JsonObject Without(JsonObject body, string field)
    {
        var copy = JsonNode.Parse(body.ToJsonString())!.AsObject();
        copy.Remove(field);
        return copy;
    }
}
