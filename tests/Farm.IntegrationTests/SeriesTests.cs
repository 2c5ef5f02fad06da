using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Patch series over a real sshd server, real git am and the fake kbuild tree, whose init/main.c
/// is really compiled with the farm's CC: a #warning in it is a real compiler warning.
/// </summary>
public sealed class SeriesTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private const string Main = "init/main.c";

    private static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    private JsonObject Series(string? mbox = null, string? range = null, bool continueOnFailure = false, string? commit = null)
    {
        var body = Env.Job();
        body.Remove("commit_hash");
        if (commit is not null) body["commit_hash"] = commit;
        if (mbox is not null) body["mbox"] = mbox;
        if (range is not null) body["range"] = range;
        if (continueOnFailure) body["continue_on_failure"] = true;
        return body;
    }

    private async Task<JsonObject> SubmitAndWaitAsync(JsonObject body)
    {
        using var response = await Farm.Http.PostAsJsonAsync("api/v1/series", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        var job = await Farm.WaitForEndAsync(id, Timeout);
        // For whoever reads a failure: the job's end and its log.
        await File.WriteAllTextAsync(Path.Combine(TempDirectory.Root, $"series-{id}.log"), job.ToJsonString() + "\n" + await Farm.GetLogAsync(id));
        return (await Farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/series/{id}/report"))!;
    }

    private static string[] States(JsonObject report) => report["steps"]!.AsArray().Select(s => s!["state"]!.GetValue<string>()).ToArray();

    private static JsonArray StepList(JsonObject report, int step, string list) => report["steps"]![step]![list]!.AsArray();

    [Fact]
    public async Task Each_patch_is_built_on_the_last_and_the_report_names_the_warning_it_adds_and_the_one_that_fixes_it()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: add a warning", Main, MainWith("#warning \"kfarm series test\"\n"));
        series.Patch("docs: a file the build does not read", "Documentation/kfarm.txt", "hello\n");
        series.Patch("init: move the warning down one line", Main, MainWith("\n#warning \"kfarm series test\"\n"));
        series.Patch("init: drop the warning", Main, MainWith(""));

        var report = await SubmitAndWaitAsync(Series(series.Mbox(), commit: series.Base));

        Assert.Equal("passed", report["result"]!.GetValue<string>());
        Assert.Equal(4, report["patches"]!.GetValue<int>());
        Assert.Equal(["passed", "passed", "passed", "passed", "passed"], States(report));
        Assert.Equal("init: add a warning", report["steps"]![1]!["subject"]!.GetValue<string>());
        Assert.Equal("Patch Author <author@example.org>", report["steps"]![1]!["author"]!.GetValue<string>());
        var added = Assert.Single(StepList(report, 1, "new_warnings"));
        Assert.Equal(Main, added!["file"]!.GetValue<string>());
        Assert.Equal("-Wcpp", added["option"]!.GetValue<string>());
        Assert.Contains("kfarm series test", added["message"]!.GetValue<string>());
        Assert.Equal(1, report["steps"]![2]!["warnings"]!.GetValue<int>());   // carried through a patch that compiles nothing new
        Assert.Empty(StepList(report, 2, "new_warnings"));
        Assert.Empty(StepList(report, 3, "new_warnings"));                   // a line shift is not a change
        Assert.Empty(StepList(report, 3, "fixed_warnings"));
        var fixedOne = Assert.Single(StepList(report, 4, "fixed_warnings"));
        Assert.Contains("kfarm series test", fixedOne!["message"]!.GetValue<string>());
        Assert.Equal(0, report["steps"]![4]!["warnings"]!.GetValue<int>());

        var id = report["id"]!.GetValue<string>();
        var text = await Farm.Http.GetStringAsync($"api/v1/series/{id}/report?format=text");
        Assert.Contains("[1/4]", text);
        Assert.Contains("new warning: init/main.c:2: #warning \"kfarm series test\" [-Wcpp]", text);
        Assert.Contains("fixed warning: init/main.c:3:", text);
        var job = await Farm.GetJobAsync(id);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Contains("series/001/build.log", Artifacts.Paths(job));
        Assert.Contains("vmlinux", Artifacts.Paths(job));
        Artifacts.AssertStorageMatchesRecord(job);
    }

    [Fact]
    public async Task A_patch_that_does_not_apply_is_apply_failed_with_gits_output_and_the_rest_are_skipped()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: one", Main, MainWith("/* one */\n"));
        series.Patch("init: two", Main, MainWith("/* two */\n"));
        series.Patch("init: three", Main, MainWith("/* three */\n"));
        var mbox = series.Mbox();
        // Patch 2 is cut out: patch 3 expects "two" where the tree has "one".
        var parts = mbox.Split("\nFrom ");
        var withoutTwo = parts[0] + "\nFrom " + parts[2];

        var report = await SubmitAndWaitAsync(Series(withoutTwo, commit: series.Base));

        Assert.Equal("failed", report["result"]!.GetValue<string>());
        Assert.Equal(["passed", "passed", "apply-failed"], States(report));
        var id = report["id"]!.GetValue<string>();
        var log = await Farm.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}/artifacts/series/002/build.log");
        Assert.Contains("git am -3", log);
        Assert.Contains("Patch failed", log);
        Assert.Equal("completed", FarmProcess.Status(await Farm.GetJobAsync(id)));
    }

    [Fact]
    public async Task A_patch_that_breaks_the_build_is_build_failed_with_its_errors_and_the_rest_are_skipped_unless_asked_to_go_on()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: break the build", Main, MainWith("#error \"kfarm broken\"\n"));
        series.Patch("init: fix the build", Main, MainWith(""));
        var mbox = series.Mbox();

        var stopped = await SubmitAndWaitAsync(Series(mbox, commit: series.Base));
        Assert.Equal(["passed", "build-failed", "skipped"], States(stopped));
        var error = Assert.Single(StepList(stopped, 1, "first_errors"));
        Assert.Equal(Main, error!["file"]!.GetValue<string>());
        Assert.Contains("kfarm broken", error["message"]!.GetValue<string>());
        Assert.Equal("failed", stopped["result"]!.GetValue<string>());

        var request = Series(mbox, continueOnFailure: true, commit: series.Base);
        request["step_artifacts"] = true;
        var continued = await SubmitAndWaitAsync(request);
        Assert.Equal(["passed", "build-failed", "passed"], States(continued));
        // each step that built kept its own artifacts; the broken one has none
        var paths = Artifacts.Paths(await Farm.GetJobAsync(continued["id"]!.GetValue<string>()));
        Assert.Contains("series/000/artifacts/vmlinux", paths);
        Assert.Contains("series/002/artifacts/bzImage", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("series/001/artifacts/", StringComparison.Ordinal));
        Assert.Contains("kfarm broken", Assert.Single(StepList(continued, 2, "fixed_errors"))!["message"]!.GetValue<string>());
        Assert.Contains("vmlinux", Artifacts.Paths(await Farm.GetJobAsync(continued["id"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_range_of_the_repository_is_built_commit_by_commit()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: add a warning", Main, MainWith("#warning \"kfarm range\"\n"));
        var head = series.Patch("init: drop it", Main, MainWith(""));
        series.Push("range-test");
        var body = Series(range: $"{series.Base}..{head}");
        body["branch"] = "range-test";

        var report = await SubmitAndWaitAsync(body);

        Assert.Equal(["passed", "passed", "passed"], States(report));
        Assert.Equal("init: add a warning", report["steps"]![1]!["subject"]!.GetValue<string>());
        Assert.Single(StepList(report, 1, "new_warnings"));
        Assert.Single(StepList(report, 2, "fixed_warnings"));
    }

    [Fact]
    public async Task The_next_series_of_the_same_kind_starts_from_the_tree_the_last_left_and_the_agent_runs_no_git_a_build_planted_there()
    {
        // Series 1's build plants a .git in the source tree whose fsmonitor hook would leave a file
        // on the server if anyone ran git there outside the sandbox (whose /tmp is its own).
        var marker = $"/tmp/kfarm-planted-git-{Guid.NewGuid():N}";
        using var first = PatchSeries.On(Env.Tree.BareRepoPath);
        var script = first.Read("scripts/fakebuild.sh");
        var planting = script.Replace("build)\n", "build)\n\trm -rf \"$srctree/.git\"; mkdir -p \"$srctree/.git/objects\" \"$srctree/.git/refs\"; printf 'ref: refs/heads/master\\n' > \"$srctree/.git/HEAD\"; " +
            $"printf '[core]\\n\\tfsmonitor = touch {marker}\\n' > \"$srctree/.git/config\"\n", StringComparison.Ordinal);
        Assert.NotEqual(script, planting);
        first.Patch("scripts: plant a git directory", "scripts/fakebuild.sh", planting);
        first.Patch("init: add a warning", Main, MainWith("#warning \"kfarm warm\"\n"));
        var one = await SubmitAndWaitAsync(Series(first.Mbox(), commit: first.Base));
        Assert.Equal("passed", one["result"]!.GetValue<string>());

        using var second = PatchSeries.On(Env.Tree.BareRepoPath);
        second.Patch("init: add a warning", Main, MainWith("#warning \"kfarm warm\"\n"));
        var two = await SubmitAndWaitAsync(Series(second.Mbox(), commit: second.Base));

        Assert.True(two["warm_tree"]!.GetValue<bool>(), two.ToJsonString());
        Assert.Equal(["passed", "passed"], States(two));
        Assert.Equal(0, two["steps"]![0]!["warnings"]!.GetValue<int>());       // the base checked out over series 1's tree: its warning is gone
        Assert.Single(StepList(two, 1, "new_warnings"));
        Assert.False(File.Exists(marker), "git ran as the farm's agent in a tree a build wrote");
        // the server's probe lists the tree series 2 kept
        using (var probe = await Farm.Http.PostAsync("api/v1/infrastructure/build-servers/x86/probe", null)) probe.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () =>
            JsonNode.Parse(await Farm.Http.GetStringAsync("api/v1/infrastructure/build-servers/x86"))!["caches"]?["trees"]?.AsArray().Count > 0,
            TimeSpan.FromSeconds(60), "the probe to list the kept tree");
    }

    [Fact]
    public async Task Bad_series_are_refused_with_the_field_named()
    {
        async Task<JsonObject> Refused(JsonObject body, HttpStatusCode expected = HttpStatusCode.BadRequest)
        {
            using var response = await Farm.Http.PostAsJsonAsync("api/v1/series", body);
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }
        static string Fields(JsonObject problem) => problem.ToJsonString();

        Assert.Contains("\"mbox\"", Fields(await Refused(Series())));
        Assert.Contains("\"mbox\"", Fields(await Refused(Series(mbox: "not a patch at all\n"))));
        Assert.Contains("\"range\"", Fields(await Refused(Series(range: "HEAD~3..HEAD"))));
        Assert.Contains("\"range\"", Fields(await Refused(Series(range: $"{new string('a', 40)}..{new string('a', 40)}"))));
        var container = Series(mbox: "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\ndiff --git a/x b/x\n");
        container["build_config"]!["container_image"] = "docker.io/library/debian:12";
        Assert.Contains("build_config.container_image", Fields(await Refused(container)));
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.GetAsync($"api/v1/series/{Guid.CreateVersion7()}")).StatusCode);
        // A job that is not a series is not one here either.
        var job = await Farm.SubmitAsync(Env.Job());
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.GetAsync($"api/v1/series/{job}/report")).StatusCode);
        await Farm.WaitForEndAsync(job, Timeout);
    }
}
