using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Browser;
using KernelFarm.IntegrationTests.Farm;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's plan pages in headless Chromium against a real farm (fake kernel tree): the matrix
/// follows a plan to its end (completed, failed and unsupported cells, the reason, links to the jobs),
/// a failed build's failure, the list of plans, cancel, accessibility (docs/dashboard.md).
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class DashboardPlanTests(ChromiumFixture chromium, FarmFixture fixture) : IClassFixture<ChromiumFixture>, IClassFixture<FarmFixture>
{
    private static readonly float PlanTimeout = 120_000;
    private FarmWithServers Env => fixture.Env;
    private Uri Dashboard => new(Env.Farm.Http.BaseAddress!, "dashboard/");

    private Task RunAsync(Func<BrowserPage, Task> test, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        chromium.RunAsync(Dashboard, test, testName: name);

    /// <summary>Four builds over the fixture servers: one completes, one fails to compile, one on arm64, one no server can run.</summary>
    private const string SmallPlan = """
        version: 1
        name: dashboard matrix
        description: three that run, one the farm cannot
        jobs:
        - name: fixture
          builds:
          - {target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig}
          - {target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_FAKE_BROKEN=y]}
          - {target_arch: arm64, toolchain: gcc-12, kconfig: tinyconfig}
          - {target_arch: powerpc, toolchain: gcc-12, kconfig: ppc64_defconfig}
        """;

    private async Task<string> SubmitPlanAsync(HttpClient client, string plan)
    {
        var url = $"api/v1/plans?git_repo={Uri.EscapeDataString(Env.RepoUrl)}&git_ref=master";
        using var r = await client.PostAsync(url, new StringContent(plan, Encoding.UTF8, "application/yaml"));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    private static ILocator Cell(IPage page, string arch, string config) =>
        page.GetByTestId("matrix").Locator($"td[data-arch='{arch}'][data-config='{config}']");

    [Fact]
    public async Task The_plan_page_follows_the_matrix_to_its_end_and_links_each_build_to_its_job()
    {
        var id = await SubmitPlanAsync(Env.Farm.Http, SmallPlan);
        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            await page.GotoAsync($"./#/plans/{id}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plan dashboard matrix" })).ToBeVisibleAsync();
            await Expect(page.GetByText("three that run, one the farm cannot")).ToBeVisibleAsync();

            // the page polls until the plan has ended: one build failed, so the plan fails
            await Expect(page.GetByTestId("plan-state")).ToHaveTextAsync("fail", new() { Timeout = PlanTimeout });
            await Expect(page.GetByTestId("plan-result")).ToHaveTextAsync("fail");
            await Expect(page.GetByTestId("plan-counts")).ToContainTextAsync("2 completed, 1 failed");
            // each ended build's state with its log's warnings and errors ("0 W · 1 E")
            await Expect(Cell(page, "x86_64", "tinyconfig")).ToHaveTextAsync(new Regex(@"^completed 0 W · 0 E$"));
            await Expect(Cell(page, "arm64", "tinyconfig")).ToHaveTextAsync(new Regex(@"^completed \d+ W · 0 E$"));
            await Expect(Cell(page, "x86_64", "tinyconfig+CONFIG_FAKE_BROKEN=y")).ToHaveTextAsync(new Regex(@"^failed \d+ W · 1 E$"));
            await Expect(page.Locator("tr[data-build='1']").GetByTestId("errors")).ToHaveTextAsync("1");
            await Expect(page.Locator("tr[data-build='0']").GetByTestId("errors")).ToHaveTextAsync("0");
            await Expect(Cell(page, "arm64", "tinyconfig+CONFIG_FAKE_BROKEN=y")).ToHaveTextAsync("—");
            // the unsupported build: the reason as the cell's tooltip and in the list of builds
            var powerpc = Cell(page, "powerpc", "ppc64_defconfig");
            await Expect(powerpc).ToHaveTextAsync("unsupported");
            await Expect(powerpc.Locator("[title]")).ToHaveAttributeAsync("title", new Regex("powerpc"));
            await Expect(page.Locator("tr[data-build='3']")).ToContainTextAsync("architecture powerpc");
            // a failed build's failure, from its job
            await Expect(page.Locator("tr[data-build='1']")).ToContainTextAsync("build failure in building");
            // a viewer gets no cancel, and an ended plan has none anyway
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel plan" })).ToHaveCountAsync(0);
            await Accessibility.AssertNoViolationsAsync(page, "#/plans/{id}");
            await Screenshots.SaveAsync(page, "dashboard-plan", fullPage: true);

            // a cell opens its build's job
            var plan = JsonNode.Parse(await Env.Farm.Http.GetStringAsync($"api/v1/plans/{id}"))!;
            var failedJob = plan["builds"]![1]!["job_id"]!.GetValue<string>();
            await Cell(page, "x86_64", "tinyconfig+CONFIG_FAKE_BROKEN=y").GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/jobs/{failedJob}$"));
            await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("failed");
            await Expect(page.GetByTestId("job-diagnostics")).ToHaveTextAsync(new Regex(@"^\d+ / 1$")); // the compile error

            // the list of plans shows it (the job index may trail the plan by a moment)
            await page.GetByRole(AriaRole.Link, new() { Name = "Plans", Exact = true }).ClickAsync();
            var row = page.Locator($"tr[data-plan='{id}']");
            await Expect(row).ToContainTextAsync("fail", new() { Timeout = 30_000 });
            await Expect(row).ToContainTextAsync("test-operator");
            await Expect(row.Locator("td.num")).ToHaveTextAsync("4");
            await Accessibility.AssertNoViolationsAsync(page, "#/plans");
            await row.GetByRole(AriaRole.Link, new() { Name = "dashboard matrix" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"#/plans/{id}$"));
            b.AssertNoErrors();
        });
    }

    [Fact]
    public async Task A_submitter_cancels_its_running_plan_from_the_plan_page()
    {
        using var submitter = new HttpClient { BaseAddress = Env.Farm.Http.BaseAddress };
        submitter.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Submitter);
        var id = await SubmitPlanAsync(submitter, """
            version: 1
            name: slow plan
            jobs:
            - name: slow
              builds:
              - {target_arch: arm64, toolchain: gcc-12, kconfig: tinyconfig, environment: {FAKE_BUILD_SECONDS: "300"}}
              - {target_arch: arm64, toolchain: gcc-12, kconfig: allnoconfig, environment: {FAKE_BUILD_SECONDS: "300"}}
            """);
        await RunAsync(async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Submitter, "test-submitter");
            await page.GotoAsync($"./#/plans/{id}");
            await Expect(page.GetByTestId("plan-state")).ToHaveTextAsync("running");
            await Expect(Cell(page, "arm64", "tinyconfig")).ToHaveTextAsync("building", new() { Timeout = 60_000 });
            // a running plan's duration keeps counting between refreshes
            var duration = page.GetByTestId("plan-duration");
            var shown = await duration.TextContentAsync();
            await Expect(duration).Not.ToHaveTextAsync(shown!);
            await Accessibility.AssertNoViolationsAsync(page, "#/plans/{id} running");
            // the first press only arms the button, as on the job page
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel plan" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm cancel" }).ClickAsync();
            await Expect(page.GetByTestId("plan-state")).ToHaveTextAsync("fail", new() { Timeout = 60_000 });
            await Expect(Cell(page, "arm64", "tinyconfig")).ToHaveTextAsync("cancelled");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel plan" })).ToHaveCountAsync(0);
            b.AssertNoErrors();
        });
        var plan = JsonNode.Parse(await Env.Farm.Http.GetStringAsync($"api/v1/plans/{id}"))!;
        Assert.Equal("ended", plan["state"]!.GetValue<string>());
        Assert.Equal(2, plan["counts"]!["cancelled"]!.GetValue<int>());
    }
}
