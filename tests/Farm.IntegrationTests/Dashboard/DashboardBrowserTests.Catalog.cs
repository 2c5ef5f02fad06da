using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>The dashboard's choices come from GET /api/v1/catalog, not from lists of its own.</summary>
public sealed partial class DashboardBrowserTests
{
    [Fact]
    public async Task The_submit_form_and_the_job_filters_offer_what_the_catalog_lists()
    {
        var catalog = JsonNode.Parse(await Env.Farm.Http.GetStringAsync("api/v1/catalog"))!.AsObject();
        string[] Names(string list) => [.. catalog[list]!.AsArray().Select(e => e!["name"]!.GetValue<string>())];

        await RunAsync(async b =>
        {
            var page = b.Page;
            await SignInAsync(page, TestTokens.Submitter, "test-submitter");
            await page.GetByRole(AriaRole.Link, new() { Name = "Submit" }).ClickAsync();
            var arch = page.GetByLabel("Architecture").Locator("option");
            await Expect(arch).ToHaveCountAsync(Names("architectures").Length);
            Assert.Equal(Names("architectures"), await arch.AllTextContentsAsync());
            // preselected: the first architecture a registered server builds
            Assert.Equal("arm64", await page.GetByLabel("Architecture").InputValueAsync());
            var targets = page.Locator("[data-field='build_config.targets'] input[type=checkbox]");
            await Expect(targets).ToHaveCountAsync(Names("targets").Length);

            await page.GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
            var status = page.Locator("select#status option");
            await Expect(status).ToHaveCountAsync(Names("statuses").Length + 1); // and "any"
            Assert.Equal(["any", .. Names("statuses")], await status.AllTextContentsAsync());
        });
    }
}
