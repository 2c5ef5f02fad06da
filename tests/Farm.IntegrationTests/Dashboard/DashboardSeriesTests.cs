using System.Net;
using System.Net.Http.Json;
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
/// The dashboard's series page in headless Chromium against a real farm (real sshd server, real
/// git am, the fake kbuild tree whose init/main.c is really compiled): a row per step with its state
/// and warnings, the warning a patch adds and the one a patch fixes in the diff view, a patch subject
/// that is HTML shown as text, the failed step's first errors, the live refresh, the plain-text
/// summary, the way there from the job page, and accessibility (docs/dashboard.md).
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class DashboardSeriesTests(ChromiumFixture chromium, FarmFixture fixture) : IClassFixture<ChromiumFixture>, IClassFixture<FarmFixture>
{
    private static readonly TimeSpan SeriesTimeout = TimeSpan.FromSeconds(120);
    private FarmWithServers Env => fixture.Env;
    private Uri Dashboard => new(Env.Farm.Http.BaseAddress!, "dashboard/");

    private Task RunAsync(Func<BrowserPage, Task> test, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        chromium.RunAsync(Dashboard, test, testName: name);

    private const string Main = "init/main.c";
    private const string Hostile = "<img src=x onerror=alert(1)> docs: a subject that is HTML";

    private static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    private async Task<string> SubmitAsync(PatchSeries series, bool continueOnFailure = false, int buildSeconds = 0)
    {
        var body = Env.Job(buildSeconds: buildSeconds);
        body["commit_hash"] = series.Base;
        body["mbox"] = series.Mbox();
        if (continueOnFailure) body["continue_on_failure"] = true;
        using var response = await Env.Farm.Http.PostAsJsonAsync("api/v1/series", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    private async Task WaitForEndAsync(string id)
    {
        var job = await Env.Farm.WaitForEndAsync(id, SeriesTimeout);
        // for whoever reads a failure: the job's end and its log
        await File.WriteAllTextAsync(Path.Combine(TempDirectory.Root, $"dashboard-series-{id}.log"), job.ToJsonString() + "\n" + await Env.Farm.GetLogAsync(id));
    }

    private static ILocator Row(IPage page, int step) => page.Locator($"tr[data-step='{step}']");

    private static ILocator Changes(IPage page, int step) => page.Locator($"section.series-step[data-step='{step}']");

    [Fact]
    public async Task The_series_page_shows_a_row_per_patch_the_warning_one_adds_and_another_fixes_and_a_hostile_subject_as_text()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: add a warning", Main, MainWith("#warning \"kfarm dashboard\"\n"));
        series.Patch(Hostile, "Documentation/kfarm.txt", "hello\n");
        series.Patch("init: drop the warning", Main, MainWith(""));
        var id = await SubmitAsync(series);
        await WaitForEndAsync(id);

        await RunAsync(async b =>
        {
            var page = b.Page;
            var dialogs = new List<string>();
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");

            // the way there: the series' job links to its series page
            await page.GotoAsync($"./#/jobs/{id}");
            await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("completed");
            await Expect(page.GetByTestId("job-series")).ToBeVisibleAsync();
            await page.GetByTestId("job-series").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/series/{id}$"));

            await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^Series {id[..8]}") })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("series-result")).ToHaveTextAsync("passed");
            await Expect(page.GetByTestId("series-status")).ToHaveTextAsync("completed");
            await Expect(page.GetByTestId("series-counts")).ToHaveTextAsync("4 passed");

            // a row per step: the base, then each patch, all built
            await Expect(page.Locator("tr[data-step]")).ToHaveCountAsync(4);
            await Expect(page.GetByTestId("step-label")).ToHaveTextAsync(["[base]", "[1/3]", "[2/3]", "[3/3]"]);
            await Expect(page.GetByTestId("step-state")).ToHaveTextAsync(["passed", "passed", "passed", "passed"]);
            await Expect(Row(page, 1).GetByTestId("step-subject")).ToHaveTextAsync("init: add a warning");
            await Expect(Row(page, 1)).ToContainTextAsync("Patch Author <author@example.org>");
            await Expect(Row(page, 0).GetByTestId("step-warnings")).ToHaveTextAsync(new Regex(@"^0 W · 0 E$"));
            // ±warnings: patch 1 adds one, patch 2 changes nothing, patch 3 fixes it
            await Expect(Row(page, 1).GetByTestId("step-warnings")).ToContainTextAsync("+1 −0");
            await Expect(Row(page, 1).GetByTestId("step-warnings")).ToContainTextAsync("1 new and 0 fixed warnings");
            await Expect(Row(page, 2).GetByTestId("step-warnings")).ToContainTextAsync("+0 −0");
            await Expect(Row(page, 3).GetByTestId("step-warnings")).ToContainTextAsync("+0 −1");
            // each built step's log, through the job's artifacts
            var log = Row(page, 1).GetByTestId("step-log");
            await Expect(log).ToHaveAttributeAsync("href", $"/api/v1/infrastructure/build-jobs/{id}/artifacts/series/001/build.log");
            var logText = await page.Context.APIRequest.GetAsync((await log.GetAttributeAsync("href"))!);
            Assert.Equal(200, logText.Status);

            // the hostile subject is text: no element made of it, no script run
            await Expect(Row(page, 2).GetByTestId("step-subject")).ToHaveTextAsync(Hostile);
            await Expect(page.Locator("main img")).ToHaveCountAsync(0);

            // the diff view: the new warning in patch 1 ("+", file:line: message [option]), the fixed one in patch 3 ("−")
            var added = Changes(page, 1).Locator("li[data-kind='new-warning']");
            await Expect(added).ToHaveCountAsync(1);
            await Expect(added).ToHaveTextAsync("+new warning: init/main.c:2: #warning \"kfarm dashboard\" [-Wcpp]");
            await Expect(added).ToHaveClassAsync("new");
            var fixedOne = Changes(page, 3).Locator("li[data-kind='fixed-warning']");
            await Expect(fixedOne).ToHaveTextAsync("−fixed warning: init/main.c:2: #warning \"kfarm dashboard\" [-Wcpp]");
            await Expect(fixedOne).ToHaveClassAsync("fixed");
            // patch 2 changed none of it: no section of its own
            await Expect(Changes(page, 2)).ToHaveCountAsync(0);
            await Expect(Changes(page, 1).Locator("h3")).ToHaveTextAsync("[1/3] init: add a warning passed");

            // the plain-text summary, opened on the page and as its own link
            await page.GetByText("Plain-text summary, to paste into a reply").ClickAsync();
            await Expect(page.GetByTestId("series-text")).ToContainTextAsync("new warning: init/main.c:2: #warning \"kfarm dashboard\" [-Wcpp]");
            await Expect(page.GetByTestId("series-text")).ToContainTextAsync(Hostile);
            await Expect(page.GetByTestId("series-text-link")).ToHaveAttributeAsync("href", $"/api/v1/series/{id}/report?format=text");

            await Accessibility.AssertNoViolationsAsync(page, "#/series/{id}");
            await Screenshots.SaveAsync(page, "dashboard-series", fullPage: true);

            // the job link goes back to the job
            await page.GetByTestId("series-job").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/jobs/{id}$"));
            Assert.Empty(dialogs);
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task The_page_follows_a_running_series_to_its_end_and_shows_the_first_errors_of_the_patch_that_broke_the_build()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: break the build", Main, MainWith("#error \"kfarm broken\"\n"));
        series.Patch("init: fix the build", Main, MainWith(""));
        // a few seconds a step, so the page sees the series running
        var id = await SubmitAsync(series, buildSeconds: 4);

        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/series/{id}");
            await Expect(page.GetByTestId("series-result")).ToHaveTextAsync("running");
            await Accessibility.AssertNoViolationsAsync(page, "#/series/{id} running");

            // refreshed until it ends: patch 1 broke the build, so patch 2 is skipped
            await Expect(page.GetByTestId("series-result")).ToHaveTextAsync("failed", new() { Timeout = (float)SeriesTimeout.TotalMilliseconds });
            await Expect(page.GetByTestId("step-state")).ToHaveTextAsync(["passed", "build-failed", "skipped"]);
            await Expect(page.GetByTestId("step-label")).ToHaveTextAsync(["[base]", "[1/2]", "[2/2]"]);
            var errors = Changes(page, 1).GetByTestId("first-errors").Locator("li");
            await Expect(errors).ToHaveCountAsync(1);
            await Expect(errors).ToContainTextAsync("init/main.c:2:");
            await Expect(errors).ToContainTextAsync("kfarm broken");
            await Expect(Row(page, 2).GetByTestId("step-log")).ToHaveCountAsync(0); // a skipped step built nothing
            await Accessibility.AssertNoViolationsAsync(page, "#/series/{id} failed");
            await Screenshots.SaveAsync(page, "dashboard-series-failed", fullPage: true);
            b.AssertNoErrors();
        });
        await WaitForEndAsync(id);
    }

    /// <summary>
    /// A report with everything the fake tree does not produce (vmlinux size and bloat-o-meter, config
    /// changes, boot results) and hostile text in every string field, served to the page in place of
    /// the farm's answer: the page shows each part, and none of the text becomes markup.
    /// </summary>
    [Fact]
    public async Task Size_bloat_config_and_boot_of_a_step_are_shown_and_every_text_of_the_report_stays_text()
    {
        const string id = "0195e0c4-0000-7000-8000-00000000dead";
        const string x = "<img src=x onerror=alert(1)>";
        static JsonObject Diag(string file, int line, string severity, string option, string message) => new()
        {
            ["file"] = file, ["line"] = line, ["column"] = 1, ["severity"] = severity, ["option"] = option, ["message"] = message,
        };
        static JsonObject Step(int step, string subject, string? author, string state) => new()
        {
            ["step"] = step, ["subject"] = subject, ["author"] = author, ["state"] = state, ["seconds"] = 42,
            ["warnings"] = 0, ["errors"] = 0, ["new_warnings"] = new JsonArray(), ["fixed_warnings"] = new JsonArray(),
            ["new_errors"] = new JsonArray(), ["fixed_errors"] = new JsonArray(), ["first_errors"] = new JsonArray(),
            ["size"] = new JsonObject { ["text"] = 1000000, ["data"] = 200000, ["bss"] = 50000 },
            ["size_delta"] = null, ["bloat"] = new JsonArray(), ["config"] = null, ["boot"] = null, ["log"] = $"series/{step:D3}/build.log",
        };
        var base0 = Step(0, "base 054d9599a3a2", null, "passed");
        base0["boot"] = new JsonObject { ["status"] = "pass", ["duration_s"] = 3.5, ["reason"] = null };
        var grow = Step(1, $"mm: grow {x}", $"{x} <evil@example.org>", "passed");
        grow["warnings"] = 1;
        grow["new_warnings"] = new JsonArray(Diag("mm/slab.c", 12, "warning", "-Wunused-variable", $"unused variable '{x}'"));
        grow["size_delta"] = new JsonObject { ["text"] = 1234, ["data"] = -16, ["bss"] = 0 };
        grow["bloat"] = new JsonArray(
            new JsonObject { ["symbol"] = $"kfarm_grow{x}", ["old"] = null, ["new"] = 1200, ["delta"] = 1200 },
            new JsonObject { ["symbol"] = "start_kernel", ["old"] = 300, ["new"] = 334, ["delta"] = 34 });
        grow["config"] = new JsonObject
        {
            ["added"] = new JsonArray(new JsonObject { ["name"] = "CONFIG_KFARM_NEW", ["value"] = "y" }),
            ["removed"] = new JsonArray(new JsonObject { ["name"] = "CONFIG_KFARM_OLD", ["value"] = "m" }),
            ["changed"] = new JsonArray(new JsonObject { ["name"] = "CONFIG_CMDLINE", ["old"] = "\"\"", ["new"] = $"\"{x}\"" }),
        };
        grow["boot"] = new JsonObject { ["status"] = "fail", ["duration_s"] = 30.0, ["reason"] = $"no marker {x}" };
        var report = new JsonObject
        {
            ["id"] = id, ["status"] = "completed", ["result"] = "passed", ["patches"] = 1, ["steps"] = new JsonArray(base0, grow),
        };
        var job = JsonNode.Parse(await Env.Farm.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{await AnyJobAsync()}"))!.AsObject();
        job["id"] = id;
        job["series"] = new JsonObject { ["range"] = null, ["mbox_bytes"] = 2048, ["continue_on_failure"] = false };

        await RunAsync(async b =>
        {
            var page = b.Page;
            var dialogs = new List<string>();
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.RouteAsync($"**/api/v1/series/{id}/report", r => r.FulfillAsync(new() { ContentType = "application/json", Body = report.ToJsonString() }));
            await page.RouteAsync($"**/api/v1/infrastructure/build-jobs/{id}", r => r.FulfillAsync(new() { ContentType = "application/json", Body = job.ToJsonString() }));
            await page.GotoAsync($"./#/series/{id}");
            await Expect(page.GetByTestId("series-result")).ToHaveTextAsync("passed");

            // the row: its time, warnings, signed size delta (text+data+bss), config and boot
            var row = Row(page, 1);
            await Expect(row.GetByTestId("step-subject")).ToHaveTextAsync($"mm: grow {x}");
            await Expect(row).ToContainTextAsync($"{x} <evil@example.org>");
            await Expect(row).ToContainTextAsync("42 s");
            await Expect(row.GetByTestId("step-size")).ToHaveTextAsync("+1,218 B");
            await Expect(row.GetByTestId("step-size")).ToHaveAttributeAsync("title", "text +1,234 B, data −16 B, bss 0 B");
            await Expect(row.GetByTestId("step-config")).ToHaveTextAsync("3 changed");
            await Expect(Row(page, 0)).ToContainTextAsync("1,250,000 B in all");
            await Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Boot" })).ToBeVisibleAsync();
            await Expect(Row(page, 0)).ToContainTextAsync("pass 3.5 s");
            await Expect(row).ToContainTextAsync($"fail 30 s no marker {x}");

            // below: the warning, the size, the biggest symbols, the configuration changes, the boot failure
            var changes = Changes(page, 1);
            await Expect(changes.Locator("li[data-kind='new-warning']")).ToHaveTextAsync($"+new warning: mm/slab.c:12: unused variable '{x}' [-Wunused-variable]");
            await Expect(changes.GetByTestId("size-delta")).ToHaveTextAsync("vmlinux +1,218 B: text +1,234 B, data −16 B, bss 0 B");
            var bloat = changes.Locator("table", new() { Has = page.Locator("caption", new() { HasText = "bloat-o-meter" }) });
            await Expect(bloat.Locator("tbody tr")).ToHaveCountAsync(2);
            await Expect(bloat.Locator("tbody tr").First).ToHaveTextAsync(new Regex($"^{Regex.Escape($"kfarm_grow{x}")}—1,200\\+1,200 B$"));
            var config = changes.Locator("table", new() { Has = page.Locator("caption", new() { HasText = "Configuration changes" }) });
            await Expect(config.Locator("tbody tr")).ToHaveTextAsync(["CONFIG_KFARM_NEWnot sety", "CONFIG_KFARM_OLDmnot set", $"CONFIG_CMDLINE\"\"\"{x}\""]);
            await Expect(changes).ToContainTextAsync($"Boot failed: no marker {x}");

            // the job view's series: how the patches were given
            await Expect(page.Locator("main")).ToContainTextAsync("the rest are skipped");
            await Expect(page.Locator("main img")).ToHaveCountAsync(0);
            await Accessibility.AssertNoViolationsAsync(page, "#/series/{id} with size, bloat, config and boot");
            await Screenshots.SaveAsync(page, "dashboard-series-size", fullPage: true);
            Assert.Empty(dialogs);
            b.AssertNoErrors();
        });
    }

    /// <summary>The id of some ended job of the farm (a real job view to dress up as a series' job).</summary>
    private async Task<string> AnyJobAsync()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job());
        await Env.Farm.WaitForEndAsync(id, SeriesTimeout);
        return id;
    }

    [Fact]
    public async Task A_job_that_is_not_a_series_has_no_series_link_and_its_id_shows_not_found_on_the_series_page()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job());
        await Env.Farm.WaitForEndAsync(id, SeriesTimeout);
        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/jobs/{id}");
            await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("completed");
            await Expect(page.GetByTestId("job-series")).ToHaveCountAsync(0);
            await page.GotoAsync($"./#/series/{id}");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("series");
            // the 404 is the page's answer, not a script error (Chromium logs the failed fetch itself)
            Assert.Empty(b.PageErrors);
        });
    }
}
