using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Browser;
using KernelFarm.IntegrationTests.Farm;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard end to end in headless Chromium against a real farm (real sshd build servers, real
/// git, fake kernel tree): sign in, submit from the form and watch the job complete with its log
/// following live, cancel, validation messages, roles, servers, cluster, charts.
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed partial class DashboardBrowserTests(ChromiumFixture chromium, FarmFixture fixture) : IClassFixture<ChromiumFixture>, IClassFixture<FarmFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private FarmWithServers Env => fixture.Env;
    private Uri Dashboard => new(Env.Farm.Http.BaseAddress!, "dashboard/");

    private Task RunAsync(Func<BrowserPage, Task> test, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        chromium.RunAsync(Dashboard, test, testName: name);

    /// <summary>Signs in through the form, as a person would.</summary>
    internal static async Task SignInAsync(IPage page, string token, string expectedName)
    {
        await page.GotoAsync("./");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("who")).ToContainTextAsync(expectedName);
    }

    private static ILocator Status(IPage page) => page.GetByTestId("job-status");

    [Fact]
    public async Task A_submitter_submits_from_the_form_and_watches_the_job_complete_with_the_log_following_live()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Submitter, "test-submitter");
            await page.GetByRole(AriaRole.Link, new() { Name = "Submit" }).ClickAsync();
            await page.GetByLabel("Repository URL").FillAsync(Env.RepoUrl);
            await page.GetByLabel("Architecture").SelectOptionAsync("x86_64");
            await page.GetByLabel("Kernel config").FillAsync("tinyconfig");
            await page.GetByLabel("Environment").FillAsync("FAKE_BUILD_SECONDS=6");
            await Screenshots.SaveAsync(page, "dashboard-submit");
            await page.GetByRole(AriaRole.Button, new() { Name = "Submit build" }).ClickAsync();

            await Expect(page).ToHaveURLAsync(JobUrl());
            var id = JobUrl().Match(page.Url).Groups[1].Value;

            // The log follows live: the build step's marker shows while the job is still running.
            var log = page.GetByTestId("log");
            await Expect(log).ToContainTextAsync("==> kfarm: step building", new() { Timeout = 60_000 });
            var whileBuilding = FarmProcess.Status(await Env.Farm.GetJobAsync(id));
            Assert.True(whileBuilding is not ("completed" or "failed" or "cancelled"), $"the log showed the build step only once the job was {whileBuilding}");
            // the step marker moves the page's status at once, without waiting for the next poll
            await Expect(Status(page)).ToHaveTextAsync("building", new() { Timeout = 3_000 });
            await Expect(page.GetByTestId("timeline").Locator("li[aria-current=step]")).ToContainTextAsync("building");
            await Screenshots.SaveAsync(page, "dashboard-job-building", fullPage: true);

            await Expect(Status(page)).ToHaveTextAsync("completed", new() { Timeout = (float)JobTimeout.TotalMilliseconds });
            await Expect(page.GetByTestId("log-state")).ToHaveTextAsync("Log complete (completed).");
            // What the page streamed is exactly the log: nothing lost, nothing twice.
            var shown = await log.EvaluateAsync<string>("e => [...e.querySelectorAll('.line')].map(l => l.textContent).join('')");
            Assert.Equal(await Env.Farm.GetLogAsync(id), shown);

            var steps = await page.GetByTestId("timeline").Locator(".step-name").AllTextContentsAsync();
            Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "transferring", "completed"], steps);

            // Artifacts: sizes and sha256 as recorded, and the download link gives those bytes.
            var job = await Env.Farm.GetJobAsync(id);
            var vmlinux = job["artifacts"]!.AsArray().Single(a => a!["path"]!.GetValue<string>() == "vmlinux")!;
            var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "vmlinux", Exact = true }) });
            await Expect(row).ToContainTextAsync(vmlinux["sha256"]!.GetValue<string>());
            var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link).ClickAsync());
            var saved = await download.PathAsync();
            Assert.Equal(vmlinux["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(saved))));
            await page.EvaluateAsync("window.scrollTo(0, 0)");
            await Screenshots.SaveAsync(page, "dashboard-job-completed", fullPage: true);
            b.AssertNoErrors();
        });
    }

    [GeneratedRegex(@"#/jobs/([0-9a-f-]{36})$")]
    private static partial Regex JobUrl();

    [Fact]
    public async Task The_form_shows_the_APIs_validation_messages_at_the_fields_they_name()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Submitter, "test-submitter");
            await page.GotoAsync("./#/submit");
            await page.GetByLabel("Repository URL").FillAsync(Env.RepoUrl);
            await page.GetByLabel("Kernel config").FillAsync("defconfig; reboot");
            await page.GetByLabel("Time limit (minutes)").FillAsync("0");
            await page.GetByRole(AriaRole.Button, new() { Name = "Submit build" }).ClickAsync();

            // The API's own messages for the same request.
            var body = new JsonObject
            {
                ["source_repository"] = Env.RepoUrl, ["branch"] = "master", ["commit_hash"] = "HEAD", ["target_architecture"] = "x86_64",
                ["build_config"] = new JsonObject { ["kernel_config"] = "defconfig; reboot", ["timeout_minutes"] = 0 },
            };
            using var api = await Env.Farm.Http.PostAsJsonAsync("api/v1/infrastructure/build-jobs", body);
            var errors = JsonNode.Parse(await api.Content.ReadAsStringAsync())!["errors"]!.AsArray()
                .ToDictionary(e => e!["field"]!.GetValue<string>(), e => e!["message"]!.GetValue<string>());
            Assert.Equal(["build_config.kernel_config", "build_config.timeout_minutes"], errors.Keys.Order());

            var config = page.GetByLabel("Kernel config");
            await Expect(config).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.Locator("#f-build-config-kernel-config-error")).ToHaveTextAsync(errors["build_config.kernel_config"]);
            await Expect(page.Locator("#f-build-config-timeout-minutes-error")).ToHaveTextAsync(errors["build_config.timeout_minutes"]);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("build_config.kernel_config");
            // the summary's link takes the keyboard to the field
            await page.GetByRole(AriaRole.Link, new() { Name = "build_config.kernel_config" }).ClickAsync();
            await Expect(config).ToBeFocusedAsync();
            await Screenshots.SaveAsync(page, "dashboard-submit-errors");
            // chromium reports the 400 itself as a console error; nothing else may appear
            Assert.All(b.Errors, e => Assert.Contains("400 (Bad Request)", e));
        });
    }

    [Fact]
    public async Task A_failed_jobs_page_shows_the_failure_and_jumps_to_the_first_error_in_its_log()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job(fragments: ["CONFIG_FAKE_BROKEN=y"]));
        Assert.Equal("failed", FarmProcess.Status(await Env.Farm.WaitForEndAsync(id, JobTimeout)));
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/jobs/{id}");
            await Expect(Status(page)).ToHaveTextAsync("failed");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("build failure in building");
            await Expect(page.GetByTestId("log-state")).ToHaveTextAsync("Log complete (failed).");
            await Expect(page.GetByTestId("log-summary")).Not.ToContainTextAsync(" 0 errors");

            var firstError = page.GetByTestId("log").Locator(".line.error").First;
            await Expect(firstError).ToContainTextAsync("error: fake compile error");
            await page.GetByRole(AriaRole.Button, new() { Name = "Jump to first error" }).ClickAsync();
            await Expect(firstError).ToHaveClassAsync(new Regex(@"\bcurrent\b"));
            await Expect(firstError).ToBeInViewportAsync();
            await Expect(page.Locator("#log-follow")).Not.ToBeCheckedAsync(); // reading, not following

            // search: every matching line marked, next/previous move through them
            await page.GetByLabel("Search log").FillAsync("kfarm: step");
            await Expect(page.GetByTestId("log-matches")).ToHaveTextAsync(new Regex(@"^1 of [3-9] matches$"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
            await Expect(page.GetByTestId("log-matches")).ToHaveTextAsync(new Regex(@"^2 of [3-9] matches$"));
            await Expect(page.GetByTestId("log").Locator(".line.current")).ToContainTextAsync("kfarm: step");
            await page.GetByLabel("Search log").FillAsync("no line says this");
            await Expect(page.GetByTestId("log-matches")).ToHaveTextAsync("no matches");
            await Expect(page.GetByTestId("log").Locator(".line.current")).ToHaveCountAsync(0);
            await page.EvaluateAsync("window.scrollTo(0, 0)");
            await Screenshots.SaveAsync(page, "dashboard-job-failed", fullPage: true);
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task The_open_job_list_shows_a_new_job_and_its_state_changes_without_a_reload()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync("./#/jobs");
            await Expect(page.GetByTestId("jobs-count")).Not.ToHaveTextAsync("");
            var id = await Env.Farm.SubmitAsync(Env.Job(buildSeconds: 3));
            var row = page.Locator($"tr[data-job='{id}']");
            await Expect(row).ToBeVisibleAsync();
            await Expect(row).ToContainTextAsync("test-operator"); // FarmProcess submits with the operator token
            // a keyboard user on the job's link keeps the focus while the list re-renders around it
            var link = row.GetByRole(AriaRole.Link);
            await link.FocusAsync();
            await Expect(row).ToContainTextAsync("completed", new() { Timeout = (float)JobTimeout.TotalMilliseconds });
            await Expect(row).ToContainTextAsync("x86");
            await Expect(link).ToBeFocusedAsync();
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task A_running_job_is_cancelled_from_its_page()
    {
        // the submitter's own job (a submitter cancels only its own: docs/limits.md)
        using var submitter = new HttpClient { BaseAddress = Env.Farm.Http.BaseAddress };
        submitter.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Submitter);
        using var submitted = await submitter.PostAsJsonAsync("api/v1/infrastructure/build-jobs", Env.Job(arch: "arm64", buildSeconds: 300));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
        var id = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var others = await Env.Farm.SubmitAsync(Env.Job(arch: "arm64", buildSeconds: 300)); // the operator's
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Submitter, "test-submitter");
            // another token's job: no buttons for this submitter
            await page.GotoAsync($"./#/jobs/{others}");
            await Expect(page.GetByTestId("job-status")).Not.ToBeEmptyAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel build" })).ToHaveCountAsync(0);
            await page.GotoAsync($"./#/jobs/{id}");
            await Expect(Status(page)).ToHaveTextAsync("building", new() { Timeout = 60_000 });
            // a running job's duration and current step keep counting between refreshes
            var duration = page.GetByTestId("job-duration");
            var shown = await duration.TextContentAsync();
            await Expect(duration).Not.ToHaveTextAsync(shown!);
            await Expect(page.GetByTestId("timeline").Locator("li[aria-current=step] .step-time")).ToContainTextAsync("so far");
            var cancel = page.GetByRole(AriaRole.Button, new() { Name = "Cancel build" });
            await cancel.ClickAsync();
            // the first press only arms the button
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm cancel" }).ClickAsync();
            await Expect(Status(page)).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry as a new job" })).ToBeVisibleAsync();
            b.AssertNoErrors();
        });
        Assert.Equal("cancelled", FarmProcess.Status(await Env.Farm.GetJobAsync(id)));
        await Env.Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{others}/cancel", null);
    }

    [Fact]
    public async Task A_viewer_can_look_but_gets_no_buttons_and_no_submit_form()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job(arch: "arm64", buildSeconds: 300));
        try
        {
            await RunAsync(async b =>
            {
                var page = b.Page;
                await SignInAsync(page, TestTokens.Viewer, "test-viewer");
                await page.GotoAsync($"./#/jobs/{id}");
                await Expect(Status(page)).Not.ToHaveTextAsync("", new() { Timeout = 30_000 });
                await Expect(page.GetByTestId("job-duration")).ToBeVisibleAsync();
                Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Cancel build" }).CountAsync());
                await page.GotoAsync("./#/submit");
                await Expect(page.GetByText("may not submit builds")).ToBeVisibleAsync();
                Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Submit build" }).CountAsync());
                await page.GotoAsync("./#/servers");
                await Expect(page.Locator("tr[data-server=x86]")).ToBeVisibleAsync();
                Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Drain x86" }).CountAsync());

                // in the list, the running job's duration moves between refreshes of the list
                await Env.Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", TimeSpan.FromSeconds(60));
                await page.GotoAsync("./#/jobs");
                var duration = page.Locator($"tr[data-job='{id}'] td.num span");
                await Expect(duration).ToHaveAttributeAsync("data-since", new Regex("."));
                var shown = await duration.TextContentAsync();
                await Expect(duration).Not.ToHaveTextAsync(shown!);
                b.AssertNoErrors();
            });
        }
        finally
        {
            await Env.Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{id}/cancel", null);
        }
    }

    [Fact]
    public async Task The_servers_page_shows_capacity_and_health_and_an_operator_drains_and_undrains()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Operator, "test-operator");
            await page.GetByRole(AriaRole.Link, new() { Name = "Servers" }).ClickAsync();
            var x86 = page.Locator("tr[data-server=x86]");
            await Expect(x86).ToContainTextAsync("healthy");
            await Expect(x86).ToContainTextAsync("of 1");
            await Expect(x86).ToContainTextAsync("x86_64, i386");
            await Expect(page.Locator("tr[data-server=arm]")).ToContainTextAsync("of 2");
            await Screenshots.SaveAsync(page, "dashboard-servers");

            await page.GetByRole(AriaRole.Button, new() { Name = "Drain x86" }).ClickAsync();
            await Expect(x86).ToContainTextAsync("draining");
            Assert.True((await ServerAsync("x86"))["draining"]!.GetValue<bool>());
            await page.GetByRole(AriaRole.Button, new() { Name = "Undrain x86" }).ClickAsync();
            await Expect(x86).Not.ToContainTextAsync("draining");
            Assert.False((await ServerAsync("x86"))["draining"]!.GetValue<bool>());
            b.AssertNoErrors();
        });
    }

    private async Task<JsonObject> ServerAsync(string id) =>
        JsonNode.Parse(await Env.Farm.Http.GetStringAsync($"api/v1/infrastructure/build-servers/{id}"))!.AsObject();

    [Fact]
    public async Task The_cluster_page_shows_the_members_and_where_the_singletons_live()
    {
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GetByRole(AriaRole.Link, new() { Name = "Cluster" }).ClickAsync();
            var members = page.GetByRole(AriaRole.Table, new() { Name = "Members" });
            await Expect(members).ToContainTextAsync("(this node)");
            await Expect(members).ToContainTextAsync("up");
            var singletons = page.GetByRole(AriaRole.Table, new() { Name = "Singletons" });
            await Expect(singletons).ToContainTextAsync("build-queue");
            await Expect(singletons).ToContainTextAsync("server-pool");
            await Expect(singletons).ToContainTextAsync("(this node)");
            await Screenshots.SaveAsync(page, "dashboard-cluster");
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task The_overview_counts_jobs_and_charts_durations_by_architecture()
    {
        var done = await Env.Farm.WaitForEndAsync(await Env.Farm.SubmitAsync(Env.Job()), JobTimeout);
        Assert.Equal("completed", FarmProcess.Status(done));
        // some work for the time charts to show: three 15-second builds for three slots, one waiting
        var busy = new List<string>();
        foreach (var arch in new[] { "arm64", "arm64", "x86_64", "x86_64" })
            busy.Add(await Env.Farm.SubmitAsync(Env.Job(arch: arch, buildSeconds: 15)));
        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
            await Expect(page.Locator(".counts li[data-status=completed] .n")).Not.ToHaveTextAsync("0");
            // the job index and the duration statistics trail the job by their refresh interval
            await Expect(page.GetByTestId("chart-durations")).ToContainTextAsync("x86_64", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("chart-durations").Locator("svg rect")).Not.ToHaveCountAsync(0);
            // a line needs two samples of the 10 s history
            await Expect(page.GetByTestId("chart-queue").Locator("svg path.series")).Not.ToHaveCountAsync(0, new() { Timeout = 40_000 });
            await Expect(page.GetByTestId("chart-slots")).ToContainTextAsync("x86");
            await Screenshots.SaveAsync(page, "dashboard-overview");
            b.AssertNoErrors();
        });
        foreach (var id in busy) await Env.Farm.WaitForEndAsync(id, JobTimeout);
    }

    [Fact]
    public async Task Every_page_passes_axe_WCAG_2_AA_checks_and_works_from_the_keyboard()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job());
        await Env.Farm.WaitForEndAsync(id, JobTimeout);
        await RunAsync(async b =>
        {
            var page = b.Page;
            await page.GotoAsync("./");
            await Expect(page.GetByLabel("API token")).ToBeFocusedAsync();
            await Accessibility.AssertNoViolationsAsync(page, "sign-in");
            // keyboard only: type the token, Enter submits
            await page.Keyboard.TypeAsync(TestTokens.Operator);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByTestId("who")).ToContainTextAsync("test-operator");

            foreach (var (hash, ready) in new[]
            {
                ("#/", "Overview"), ("#/jobs", "Jobs"), ($"#/jobs/{id}", "Log"), ("#/submit", "Submit a build"),
                ("#/bisections", "Bisections"), ("#/servers", "Servers"), ("#/cluster", "Cluster"),
            })
            {
                await page.GotoAsync("./" + hash);
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = ready }).First).ToBeVisibleAsync();
                await page.WaitForSelectorAsync("main table, main figure, main form");
                await Accessibility.AssertNoViolationsAsync(page, hash);
            }

            // on a fresh load the first Tab reaches the skip link, which moves focus to the content
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cluster" })).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator("main")).ToBeFocusedAsync();
            Assert.EndsWith("#/cluster", page.Url); // the router's hash is untouched
            b.AssertNoErrors();
        });
    }
}
