using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Browser;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's bisection page in headless Chromium against a real farm (real sshd servers, the
/// fake kbuild tree whose init/main.c is really compiled, a short history pushed as a branch of it):
/// the page follows a bisection to the first bad commit (its sha, subject, author and the log line
/// that shows it), draws the range narrowing round by round with the same in words, lists every step
/// with its job; an ambiguous one (a skipped commit next to the first bad) lists the candidates, and
/// a commit subject and compiler message that are HTML stay text; a submitter cancels a running one;
/// a view served in place of the farm's answer covers a 10,000-commit range, superseded and running
/// steps and hostile text in every field; accessibility throughout (docs/dashboard.md).
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class DashboardBisectionTests(ChromiumFixture chromium, FarmFixture fixture) : IClassFixture<ChromiumFixture>, IClassFixture<FarmFixture>
{
    private static readonly TimeSpan BisectionTimeout = TimeSpan.FromSeconds(180);
    private FarmWithServers Env => fixture.Env;
    private Uri Dashboard => new(Env.Farm.Http.BaseAddress!, "dashboard/");

    private Task RunAsync(Func<BrowserPage, Task> test, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        chromium.RunAsync(Dashboard, test, testName: name);

    private const string Main = "init/main.c";
    private const string Hostile = "<img src=x onerror=\"window.kfarmPwned=1;alert(1)\"> init: a subject that is HTML";

    private static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    /// <summary>A history of <paramref name="commits"/> after the fixture's tip, pushed as a branch of its own.</summary>
    private sealed record History(string Branch, string Good, string Bad, IReadOnlyList<string> Shas);

    private History Push(string branch, params (string Subject, string Path, string Content)[] commits)
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        var shas = new List<string> { series.Base };
        foreach (var (subject, path, content) in commits) shas.Add(series.Patch(subject, path, content));
        series.Push(branch);
        return new History(branch, series.Base, shas[^1], shas);
    }

    private static (string, string, string) Doc(int n) => ($"docs: note {n}", $"Documentation/kfarm-bisect-{n}.txt", $"{n}\n");

    /// <summary>POST /api/v1/bisections over the history (arm64, the fixture servers' gcc-12); returns the id.</summary>
    private async Task<string> StartAsync(History history, int? maxParallel, int buildSeconds = 0, HttpClient? client = null)
    {
        var body = Env.Job(arch: "arm64", buildSeconds: buildSeconds);
        body.Remove("commit_hash");
        body["branch"] = history.Branch;
        body["toolchain"] = "gcc-12";
        body["good"] = history.Good;
        body["bad"] = history.Bad;
        body["criterion"] = new JsonObject { ["kind"] = "build_fails", ["match"] = "kfarm bisect" };
        if (maxParallel is { } k) body["max_parallel"] = k;
        using var response = await (client ?? Env.Farm.Http).PostAsJsonAsync("api/v1/bisections", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    private async Task<JsonObject> GetAsync(string id) =>
        JsonNode.Parse(await Env.Farm.Http.GetStringAsync($"api/v1/bisections/{id}"))!.AsObject();

    /// <summary>Polls the API until the bisection has ended; keeps its last view for whoever reads a failure.</summary>
    private async Task<JsonObject> WaitForEndAsync(string id)
    {
        var deadline = DateTime.UtcNow + BisectionTimeout;
        JsonObject view;
        while (true)
        {
            view = await GetAsync(id);
            if (view["state"]!.GetValue<string>() == "ended" || DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        await File.WriteAllTextAsync(Path.Combine(TempDirectory.Root, $"dashboard-bisection-{id}.json"), view.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.True(view["state"]!.GetValue<string>() == "ended", $"bisection {id} did not end in {BisectionTimeout}: {view.ToJsonString()}");
        return view;
    }

    private static ILocator Round(IPage page, int round) => page.Locator($"li[data-testid='bisect-round'][data-round='{round}']");

    private static ILocator Step(IPage page, int step) => page.Locator($"tr[data-step='{step}']");

    [Fact]
    public async Task The_page_follows_a_bisection_to_the_first_bad_commit_draws_each_rounds_window_and_links_every_step_to_its_job()
    {
        // #0 the fixture's tip (good) … #7 (bad); #4 adds the #error
        var history = Push("bisect-dashboard-found",
            Doc(1), Doc(2), Doc(3),
            ("init: break the build", Main, MainWith("#error \"kfarm bisect\"\n")),
            Doc(5), Doc(6), Doc(7));
        // one build at a time: the rounds are the same on every run (#4, then #2, then #3)
        var id = await StartAsync(history, maxParallel: 1, buildSeconds: 1);

        await RunAsync(async b =>
        {
            var page = b.Page;
            var dialogs = new List<string>();
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");

            // the way there: the nav's Bisections page opens one by its id
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Bisections" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Bisections" })).ToBeVisibleAsync();
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections");
            await page.GetByLabel("Bisection id").FillAsync($"  {id} ");
            await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/bisections/{id}$"));

            // running: the page says so, and a viewer gets no Cancel button
            await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^Bisection {id[..8]}") })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync(new Regex("^(listing|checking_ends|bisecting)$"));
            await Expect(page.GetByTestId("bisect-state-word")).ToContainTextAsync("(refreshing)");
            await Expect(page.GetByTestId("bisect-outcome")).ToContainTextAsync("Not found yet");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel bisection" })).ToHaveCountAsync(0);
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} running");

            // the farm ends it (as the API says); the open page follows by itself
            var view = await WaitForEndAsync(id);
            Assert.Equal("found", view["result"]!.GetValue<string>());
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("found");
            await Expect(page.GetByTestId("bisect-state-word")).ToContainTextAsync("ended");
            await Expect(page.GetByTestId("bisect-message")).ToHaveTextAsync($"{history.Shas[4]} is the first bad commit");

            // the header: the ends as given and as resolved, the range, the criterion, the builds
            await Expect(page.GetByTestId("bisect-good")).ToContainTextAsync(history.Good);
            await Expect(page.GetByTestId("bisect-bad")).ToContainTextAsync(history.Bad);
            await Expect(page.GetByTestId("bisect-bad")).ToContainTextAsync("docs: note 7");
            await Expect(page.Locator("main")).ToContainTextAsync("7 first-parent commits after the good one (#1 … #7)");
            await Expect(page.GetByTestId("bisect-criterion")).ToHaveTextAsync("the build fails with an error containing \"kfarm bisect\"");
            await Expect(page.GetByTestId("bisect-builds")).ToHaveTextAsync("5");
            await Expect(page.GetByTestId("bisect-window")).ToHaveTextAsync("1 suspect, commit 4");
            await Expect(page.Locator("main")).ToContainTextAsync(Env.RepoUrl);

            // the outcome: the first bad commit and the compiler's line that shows the criterion
            var found = page.GetByTestId("bisect-first-bad");
            await Expect(found.GetByTestId("first-bad-sha")).ToHaveTextAsync(history.Shas[4]);
            await Expect(found.GetByTestId("first-bad-subject")).ToHaveTextAsync("init: break the build");
            await Expect(found.GetByTestId("first-bad-author")).ToHaveTextAsync("Patch Author <author@example.org>");
            await Expect(found.GetByTestId("bisect-excerpt")).ToHaveTextAsync("init/main.c:2:2: error: #error \"kfarm bisect\"");
            Assert.Equal("PRE", await found.GetByTestId("bisect-excerpt").EvaluateAsync<string>("e => e.tagName"));
            var badStep = view["steps"]!.AsArray().First(s => s!["index"]?.GetValue<int>() == 4)!;
            await Expect(found.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"#/jobs/{badStep["job_id"]!.GetValue<string>()}");

            // the rounds: the window after each (round 0 the whole range) over a bar of #0 … #7, its tested commits marked
            // one build at a time: the good end, then the bad one, then a commit a round
            await Expect(page.GetByTestId("bisect-round")).ToHaveCountAsync(6);
            await Expect(page.GetByTestId("round-summary")).ToHaveTextAsync([
                "Round 0: the whole range, 7 suspects, commits 1–7",
                "Round 1: 7 suspects left, commits 1–7",
                "Round 2: 7 suspects left, commits 1–7",
                "Round 3: 4 suspects left, commits 1–4",
                "Round 4: 2 suspects left, commits 3–4",
                "Round 5: 1 suspect left, commit 4",
            ]);
            await Expect(Round(page, 0).GetByTestId("round-tested")).ToHaveCountAsync(0);
            await Expect(Round(page, 1).GetByTestId("round-tested")).ToHaveTextAsync("tested #0 good");
            await Expect(Round(page, 2).GetByTestId("round-tested")).ToHaveTextAsync("tested #7 bad");
            await Expect(Round(page, 3).GetByTestId("round-tested")).ToHaveTextAsync("tested #4 bad");
            await Expect(Round(page, 4).GetByTestId("round-tested")).ToHaveTextAsync("tested #2 good");
            await Expect(Round(page, 5).GetByTestId("round-tested")).ToHaveTextAsync("tested #3 good");
            // the bar: the highlighted window is the round's, and sits where its commits are (cells of 1/8 of the width)
            var window = Round(page, 4).Locator("rect.window");
            await Expect(window).ToHaveAttributeAsync("data-first", "3");
            await Expect(window).ToHaveAttributeAsync("data-last", "4");
            await Expect(window).ToHaveAttributeAsync("x", "37.500%");
            await Expect(window).ToHaveAttributeAsync("width", "25.000%");
            await Expect(Round(page, 0).Locator("rect.window")).ToHaveAttributeAsync("width", "87.500%");
            var marks = Round(page, 1).Locator("svg.at");
            await Expect(marks).ToHaveCountAsync(1);
            await Expect(Round(page, 1).Locator("svg.at[data-index='0']")).ToHaveAttributeAsync("data-verdict", "good");
            await Expect(Round(page, 2).Locator("svg.at[data-index='7'] rect.mark.v-bad")).ToHaveCountAsync(1); // bad: a square
            await Expect(Round(page, 4).Locator("svg.at[data-index='2'] circle.mark.v-good")).ToHaveCountAsync(1); // good: a circle
            await Expect(Round(page, 3).Locator("svg.at[data-index='4'] title")).ToHaveTextAsync($"#4 {history.Shas[4][..12]} init: break the build: bad");
            // the bars are pictures of the words beside them: hidden from screen readers, the words are not
            await Expect(page.Locator("svg.bisect-bar[aria-hidden='true']")).ToHaveCountAsync(6);

            // the steps: the listing, the two ends, then a probe a round, each linking to its job
            await Expect(page.Locator("tr[data-step]")).ToHaveCountAsync(6);
            await Expect(page.GetByTestId("step-role")).ToHaveTextAsync(["list", "good", "bad", "probe", "probe", "probe"]);
            await Expect(page.GetByTestId("step-state")).ToHaveTextAsync(["completed", "completed", "failed", "failed", "completed", "completed"]);
            await Expect(page.GetByTestId("step-verdict")).ToHaveTextAsync(["good", "bad", "bad", "good", "good"]);
            await Expect(Step(page, 0)).ToContainTextAsync("lists the range");
            await Expect(Step(page, 0)).ToContainTextAsync("7 first-parent commits after the good one");
            await Expect(Step(page, 3)).ToContainTextAsync($"#4 {history.Shas[4][..12]} init: break the build");
            await Expect(Step(page, 3).GetByTestId("step-detail")).ToHaveTextAsync("the build failed with an error containing \"kfarm bisect\"");
            await Expect(Step(page, 5)).ToContainTextAsync("#3");
            await Expect(Step(page, 5)).ToContainTextAsync("docs: note 3");
            await Expect(Step(page, 5)).ToContainTextAsync("arm"); // the server
            foreach (var step in view["steps"]!.AsArray())
            {
                var jobId = step!["job_id"]!.GetValue<string>();
                await Expect(Step(page, step["step"]!.GetValue<int>()).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"#/jobs/{jobId}");
            }

            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} found");
            await Screenshots.SaveAsync(page, "dashboard-bisection", fullPage: true);

            // a fresh load shows the same, and a step's link leads to its job
            await page.ReloadAsync();
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("found");
            await Expect(page.GetByTestId("bisect-round")).ToHaveCountAsync(6);
            await Step(page, 3).GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/jobs/{badStep["job_id"]!.GetValue<string>()}$"));
            await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("failed");
            Assert.Empty(dialogs);
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task A_skipped_commit_next_to_the_first_bad_lists_both_as_candidates_and_a_subject_and_log_line_that_are_HTML_stay_text()
    {
        // #3 fails to build for another reason (skip); #4 fails as the criterion says, with markup in its #error
        const string markupError = "kfarm bisect <img src=x onerror=alert(2)>";
        var history = Push("bisect-dashboard-ambiguous",
            Doc(1), Doc(2),
            (Hostile, Main, MainWith("#error \"unrelated breakage\"\n")),
            ("init: break the build", Main, MainWith($"#error \"{markupError}\"\n")),
            Doc(5), Doc(6));
        var id = await StartAsync(history, maxParallel: 1);
        var view = await WaitForEndAsync(id);
        Assert.Equal("ambiguous", view["result"]!.GetValue<string>());

        await RunAsync(async b =>
        {
            var page = b.Page;
            var dialogs = new List<string>();
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/bisections/{id}");
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("ambiguous");
            await Expect(page.GetByTestId("bisect-message")).ToContainTextAsync("the first bad commit could be any of 2");

            // the candidates: the skipped #3 (why it was skipped) and the first known bad #4
            var candidates = page.GetByTestId("bisect-candidates").Locator("li");
            await Expect(candidates).ToHaveCountAsync(2);
            await Expect(candidates.Nth(0)).ToHaveAttributeAsync("data-index", "3");
            await Expect(candidates.Nth(0).GetByTestId("commit-subject")).ToHaveTextAsync(Hostile);
            await Expect(candidates.Nth(0)).ToContainTextAsync("skip the build failed for another reason");
            await Expect(candidates.Nth(0)).ToContainTextAsync("Patch Author <author@example.org>");
            await Expect(candidates.Nth(1)).ToHaveAttributeAsync("data-index", "4");
            await Expect(candidates.Nth(1).GetByTestId("commit-subject")).ToHaveTextAsync("init: break the build");
            await Expect(candidates.Nth(1)).ToContainTextAsync("bad");
            // the compiler's line at #4, markup and all, as text in a <pre>
            await Expect(page.GetByTestId("bisect-excerpt")).ToHaveTextAsync($"init/main.c:2:2: error: #error \"{markupError}\"");

            // the rounds: the good end, the bad end; #3 (skipped, a triangle); #2 good; #4 bad: the window stays 3–4
            await Expect(page.GetByTestId("round-summary")).ToHaveTextAsync([
                "Round 0: the whole range, 6 suspects, commits 1–6",
                "Round 1: 6 suspects left, commits 1–6",
                "Round 2: 6 suspects left, commits 1–6",
                "Round 3: 6 suspects left, commits 1–6",
                "Round 4: 4 suspects left, commits 3–6",
                "Round 5: 2 suspects left, commits 3–4",
            ]);
            await Expect(Round(page, 3).GetByTestId("round-tested")).ToHaveTextAsync("tested #3 skip");
            await Expect(Round(page, 3).Locator("svg.at[data-index='3'] path.mark.v-skip")).ToHaveCountAsync(1);
            await Expect(Round(page, 3).Locator("svg.at[data-index='3'] title")).ToHaveTextAsync($"#3 {history.Shas[3][..12]} {Hostile}: skip");

            // the steps table: the hostile subject as text, the skip's reason and its log lines on demand
            var skipped = page.Locator("tr[data-step]", new() { Has = page.GetByTestId("step-verdict").GetByText("skip", new() { Exact = true }) });
            await Expect(skipped).ToHaveCountAsync(1);
            await Expect(skipped.GetByTestId("commit-subject")).ToHaveTextAsync(Hostile);
            await Expect(skipped.GetByTestId("step-detail")).ToContainTextAsync("the build failed for another reason");
            await skipped.GetByText("log lines").ClickAsync();
            await Expect(skipped.Locator("details pre")).ToContainTextAsync("unrelated breakage");

            // nothing of it became markup, nothing ran
            await Expect(page.Locator("main img")).ToHaveCountAsync(0);
            Assert.True(await page.EvaluateAsync<bool>("() => window.kfarmPwned === undefined"));
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} ambiguous");
            await Screenshots.SaveAsync(page, "dashboard-bisection-ambiguous", fullPage: true);
            Assert.Empty(dialogs);
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task A_submitter_cancels_its_running_bisection_from_the_page()
    {
        using var submitter = new HttpClient { BaseAddress = Env.Farm.Http.BaseAddress };
        submitter.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Submitter);
        var history = Push("bisect-dashboard-cancel",
            Doc(1), ("init: break the build", Main, MainWith("#error \"kfarm bisect\"\n")), Doc(3));
        // builds of five minutes: the good end is still building when the page cancels
        var id = await StartAsync(history, maxParallel: 2, buildSeconds: 300, client: submitter);

        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Submitter, "test-submitter");
            await page.GotoAsync($"./#/bisections/{id}");
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("checking_ends", new() { Timeout = 60_000 });
            // the good end builds for minutes (the bad one fails at once, before the fake build's sleep)
            await Expect(Step(page, 1).GetByTestId("step-verdict")).ToHaveTextAsync("running");
            await Expect(Round(page, 1).Locator("svg.at[data-index='0'] circle.mark.v-running")).ToHaveCountAsync(1);
            await Expect(page.Locator(".bisect-legend li").Last).ToHaveTextAsync("running");
            // a running bisection's duration keeps counting between refreshes
            var duration = page.GetByTestId("bisect-duration");
            var shown = await duration.TextContentAsync();
            await Expect(duration).Not.ToHaveTextAsync(shown!);
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} checking the ends");
            await Screenshots.SaveAsync(page, "dashboard-bisection-running", fullPage: true);

            // the first press only arms the button, as on the job and plan pages
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel bisection" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm cancel" }).ClickAsync();
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("bisect-no-result")).ToHaveTextAsync("cancelled The bisection was cancelled: its running builds were cancelled and no more were queued.");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel bisection" })).ToHaveCountAsync(0);
            // the page follows the good end's job to its cancellation after the bisection ended; judged it never was
            await Expect(Step(page, 1).GetByTestId("step-state")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
            await Expect(Step(page, 1).GetByTestId("step-verdict")).ToHaveTextAsync("none");
            await Expect(Round(page, 1).Locator("svg.at[data-index='0'] circle.mark.v-none")).ToHaveCountAsync(1);
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} cancelled");
            await Screenshots.SaveAsync(page, "dashboard-bisection-cancelled", fullPage: true);
            b.AssertNoErrors();
        });
        var view = await GetAsync(id);
        await File.WriteAllTextAsync(Path.Combine(TempDirectory.Root, $"dashboard-bisection-{id}.json"), view.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal("cancelled", view["result"]!.GetValue<string>());
        // its builds are cancelled too (ended, so the farm's slots are free for the next test)
        foreach (var step in view["steps"]!.AsArray().Where(s => s!["role"]!.GetValue<string>() != "list"))
            await Env.Farm.WaitForEndAsync(step!["job_id"]!.GetValue<string>(), TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A view the fake tree does not give (a 10,000-commit range mid-search, a superseded and a running
    /// step, every criterion field) with hostile text in every string, served to the page in place of
    /// the farm's answer: the bars stay readable, and none of the text becomes markup.
    /// </summary>
    [Fact]
    public async Task A_long_range_mid_search_with_superseded_and_running_steps_and_hostile_text_in_every_field()
    {
        const string id = "0195e0c4-0000-7000-8000-00000000b15e";
        const string x = "<img src=x onerror=alert(1)>";
        static JsonObject Commit(int index, string subject) => new()
        {
            ["index"] = index, ["sha"] = $"{index:x4}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ["author"] = $"{x} <evil@example.org>", ["subject"] = subject,
        };
        static JsonObject Window(int first, int last) => new() { ["first"] = first, ["last"] = last, ["count"] = last - first + 1 };
        static JsonObject StepOf(int step, int round, string role, int? index, string state, string? verdict, string? detail = null) => new()
        {
            ["step"] = step, ["round"] = round, ["role"] = role, ["index"] = index, ["commit"] = index is { } i ? Commit(i, $"subject {i} {x}") : null,
            ["job_id"] = $"0195e0c4-0000-7000-8000-{step:D12}", ["state"] = state, ["verdict"] = verdict, ["detail"] = detail,
            ["excerpt"] = verdict == "bad" ? new JsonArray($"drivers/x.c:1:1: error: {x}") : new JsonArray(),
            ["duration_s"] = verdict is null ? null : 61.5, ["server"] = $"srv{x}", ["reused"] = step == 4,
        };
        var view = new JsonObject
        {
            ["id"] = id, ["state"] = "bisecting", ["result"] = null, ["message"] = null,
            ["source_repository"] = $"https://example.org/{x}.git", ["branch"] = $"main{x}", ["good"] = $"v6.1{x}", ["bad"] = "v6.2",
            ["target_architecture"] = "x86_64", ["toolchain"] = $"gcc-12{x}", ["build_config"] = new JsonObject { ["kernel_config"] = $"defconfig{x}" },
            ["criterion"] = new JsonObject { ["kind"] = "diagnostic", ["match"] = x, ["threshold_bytes"] = null },
            ["max_parallel"] = 3, ["submitted_by"] = $"someone{x}", ["created_at"] = "2026-01-02T03:04:05Z", ["ended_at"] = null,
            ["cancel_requested"] = false, ["duration_s"] = 754.2,
            ["good_commit"] = Commit(0, $"Linux 6.1 {x}"), ["bad_commit"] = Commit(10000, $"Linux 6.2 {x}"), ["commits"] = 10000,
            ["first_bad"] = null, ["candidates"] = new JsonArray(), ["excerpt"] = new JsonArray(),
            ["window"] = Window(5001, 5001 + 2499 - 1),
            ["rounds"] = new JsonArray(
                new JsonObject { ["round"] = 0, ["window"] = Window(1, 10000), ["steps"] = new JsonArray() },
                new JsonObject { ["round"] = 1, ["window"] = Window(5001, 10000), ["steps"] = new JsonArray(1, 2, 3) },
                new JsonObject { ["round"] = 2, ["window"] = Window(5001, 7499), ["steps"] = new JsonArray(4, 5, 6) }),
            ["builds"] = 5,
            ["steps"] = new JsonArray(
                StepOf(0, 0, "list", null, "completed", "good", "10000 first-parent commits after the good one"),
                StepOf(1, 1, "good", 0, "completed", "good", "no diagnostic contains it"),
                StepOf(2, 1, "bad", 10000, "completed", "bad", $"1 diagnostic containing \"{x}\""),
                StepOf(3, 1, "probe", 5000, "completed", "good", "no diagnostic contains it"),
                StepOf(4, 2, "probe", 7500, "completed", "bad", $"1 diagnostic containing \"{x}\""),
                StepOf(5, 2, "probe", 8750, "cancelled", "superseded", "the search moved past this commit: its job was cancelled"),
                StepOf(6, 2, "probe", 6250, "building", null)),
        };

        await RunAsync(async b =>
        {
            var page = b.Page;
            var dialogs = new List<string>();
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.RouteAsync($"**/api/v1/bisections/{id}", r => r.FulfillAsync(new() { ContentType = "application/json", Body = view.ToJsonString() }));
            await page.GotoAsync($"./#/bisections/{id}");
            await Expect(page.GetByTestId("bisect-state")).ToHaveTextAsync("bisecting");

            await Expect(page.GetByTestId("bisect-criterion")).ToHaveTextAsync($"a warning or error containing \"{x}\" appears");
            await Expect(page.GetByTestId("bisect-good")).ToContainTextAsync($"v6.1{x}");
            await Expect(page.GetByTestId("bisect-good")).ToContainTextAsync($"Linux 6.1 {x}");
            await Expect(page.GetByTestId("bisect-window")).ToHaveTextAsync("2499 suspects, commits 5001–7499");
            await Expect(page.GetByTestId("bisect-outcome")).ToHaveTextAsync("Not found yet: 2499 suspects left, commits 5001–7499.");
            await Expect(page.Locator("main")).ToContainTextAsync($"someone{x}");
            await Expect(page.Locator("main")).ToContainTextAsync($"https://example.org/{x}.git");

            // the bars over 10,000 commits: the window where it is, the marks by verdict, the running one a ring
            await Expect(page.GetByTestId("round-summary")).ToHaveTextAsync([
                "Round 0: the whole range, 10000 suspects, commits 1–10000",
                "Round 1: 5000 suspects left, commits 5001–10000",
                "Round 2: 2499 suspects left, commits 5001–7499",
            ]);
            await Expect(Round(page, 2).GetByTestId("round-tested")).ToHaveTextAsync("tested #6250 running, #7500 bad, #8750 superseded");
            var round2 = Round(page, 2);
            await Expect(round2.Locator("rect.window")).ToHaveAttributeAsync("x", "50.005%");
            await Expect(round2.Locator("svg.at")).ToHaveCountAsync(3);
            await Expect(round2.Locator("svg.at[data-index='8750'] circle.mark.v-superseded")).ToHaveCountAsync(1);
            await Expect(round2.Locator("svg.at[data-index='6250'] circle.mark.v-running")).ToHaveCountAsync(1);
            await Expect(round2.Locator("svg.at[data-index='7500']")).ToHaveAttributeAsync("x", "74.998%");
            await Expect(page.Locator(".bisect-legend li")).ToHaveTextAsync(["suspects left", "good", "bad", "skip", "superseded", "running"]);

            // the steps: verdicts, details, the reused build, the excerpt on demand, all as text
            await Expect(page.GetByTestId("step-verdict")).ToHaveTextAsync(["good", "bad", "good", "bad", "superseded", "running"]);
            await Expect(Step(page, 2).GetByTestId("step-detail")).ToHaveTextAsync($"1 diagnostic containing \"{x}\"");
            await Expect(Step(page, 4)).ToContainTextAsync("(reused)");
            await Expect(Step(page, 4)).ToContainTextAsync($"srv{x}");
            await Expect(Step(page, 4)).ToContainTextAsync("1 min 2 s");
            await Step(page, 4).GetByText("log lines").ClickAsync();
            await Expect(Step(page, 4).Locator("details pre")).ToHaveTextAsync($"drivers/x.c:1:1: error: {x}");
            await Expect(Step(page, 6).GetByTestId("step-state")).ToHaveTextAsync("building");

            await Expect(page.Locator("main img")).ToHaveCountAsync(0);
            await Accessibility.AssertNoViolationsAsync(page, "#/bisections/{id} long range");
            await Screenshots.SaveAsync(page, "dashboard-bisection-long", fullPage: true);
            Assert.Empty(dialogs);
            b.AssertNoErrors();
        });
    }

    /// <summary>js/bisect.js, as the page loads it: the words and the bar's geometry.</summary>
    [Fact]
    public async Task The_rounds_words_and_the_bars_geometry_come_from_the_view()
    {
        JsonElement r = default;
        await RunAsync(async b =>
        {
            await b.Page.GotoAsync("./");
            await Expect(b.Page.GetByLabel("API token")).ToBeVisibleAsync();
            r = await b.Page.EvaluateAsync<JsonElement>("""
                async () => {
                  const m = await import('./js/bisect.js');
                  const view = (state) => ({ state, rounds: [
                      { round: 0, window: { first: 1, last: 20, count: 20 }, steps: [] },
                      { round: 1, window: { first: 17, last: 21, count: 5 }, steps: [3, 1, 2, 0] } ],
                    steps: [
                      { step: 0, role: 'list', index: null, verdict: 'good' },
                      { step: 1, role: 'good', index: 0, verdict: 'good' },
                      { step: 2, role: 'bad', index: 21, verdict: 'bad' },
                      { step: 3, role: 'probe', index: 16, verdict: null } ] });
                  const running = m.narrowing(view('bisecting'));
                  const ended = m.narrowing(view('ended'));
                  const one = m.scale(9999, 100, 0.5).window(42, 42);
                  const edge = m.scale(9999, 100, 0.5).window(9999, 9999);
                  return {
                    texts: running.map(x => [m.roundText(x), m.testedText(x)]),
                    endedTested: m.testedText(ended[1]),
                    centres: [0, 3].map(i => m.scale(3, 100).x(i)),
                    whole: m.scale(3, 100).window(1, 3),
                    tiny: [one.width, +(one.x + one.width / 2).toFixed(4), +(edge.x + edge.width).toFixed(6)],
                    criteria: [
                      { kind: 'build_fails' }, { kind: 'build_fails', match: 'x' }, { kind: 'diagnostic' }, { kind: 'diagnostic', match: 'W' },
                      { kind: 'boot_fails' }, { kind: 'size_grows', threshold_bytes: 4096 } ].map(m.criterionText),
                    words: [m.stateWord({ state: 'bisecting', result: null }), m.stateWord({ state: 'ended', result: 'ends_wrong' }), m.span({ first: 4, last: 4, count: 1 })],
                  };
                }
                """);
            b.AssertNoErrors();
        });
        Assert.Equal([
            "Round 0: the whole range, 20 suspects, commits 1–20", "",
            "Round 1: 5 suspects left, commits 17–21", "#0 good, #16 running, #21 bad",
        ], r.GetProperty("texts").EnumerateArray().SelectMany(e => e.EnumerateArray()).Select(e => e.GetString()));
        Assert.Equal("#0 good, #16 none, #21 bad", r.GetProperty("endedTested").GetString());
        Assert.Equal("[12.5,87.5]", r.GetProperty("centres").GetRawText());
        Assert.Equal((25.0, 75.0), (r.GetProperty("whole").GetProperty("x").GetDouble(), r.GetProperty("whole").GetProperty("width").GetDouble()));
        // one commit of 10,000 is 0.01% wide: drawn 0.5% wide around its place, and never past the end
        Assert.Equal("[0.5,0.425,100]", r.GetProperty("tiny").GetRawText());
        Assert.Equal([
            "the build fails", "the build fails with an error containing \"x\"",
            "a warning or error appears that the good commit's build does not have", "a warning or error containing \"W\" appears",
            "the kernel does not boot", "vmlinux text grows by more than 4,096 bytes over the good commit's",
        ], r.GetProperty("criteria").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["bisecting", "ends_wrong", "commit 4"], r.GetProperty("words").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task An_id_that_names_no_bisection_shows_not_found()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/bisections/{Guid.NewGuid()}");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bisection");
            await page.GotoAsync("./#/bisections/%3Cimg%20src%3Dx%3E");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bisection");
            await Expect(page.Locator("main img")).ToHaveCountAsync(0);
            // the 404 is the page's answer, not a script error (Chromium logs the failed fetch itself)
            Assert.Empty(b.PageErrors);
        });
    }
}
