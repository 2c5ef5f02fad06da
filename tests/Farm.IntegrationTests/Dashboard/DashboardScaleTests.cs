using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Browser;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The job list with 10,000 jobs in the farm's history: pages and filters are the server's, so the
/// browser only ever holds one page. Times are printed (measured, not asserted).
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class DashboardScaleTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const int Flood = 10_000;
    private const string Jobs = "api/v1/infrastructure/build-jobs";

    [Fact]
    public async Task Ten_thousand_jobs_are_paged_and_filtered_by_the_server()
    {
        await using var env = await FaultFarm.StartAsync([new("x", "127.0.0.81", ["x86_64"], 1)],
            new Dictionary<string, string> { ["Farm__MaxQueueSize"] = "20000" });
        var http = env.Farm.Http;
        for (var i = 0; i < 2; i++)
            Assert.Equal("completed", FarmProcess.Status(await env.Farm.WaitForEndAsync(await env.Farm.SubmitAsync(env.Job()), TimeSpan.FromSeconds(90))));
        // Drained, the server takes none of the flood: 10,000 jobs wait in the queue.
        (await http.PostAsync("api/v1/infrastructure/build-servers/x/drain", null)).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        var next = 0;
        var body = env.Job();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Flood)
            {
                using var r = await http.PostAsJsonAsync(Jobs, body);
                Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
            }
        }));
        output.WriteLine($"submitted {Flood} jobs in {clock.Elapsed.TotalSeconds:F1} s");
        const int total = Flood + 2;
        await Eventually.TrueAsync(async () => (await http.GetFromJsonAsync<JsonObject>($"{Jobs}?limit=1"))!["total"]!.GetValue<int>() == total,
            TimeSpan.FromSeconds(120), "the job index to list every job");

        await chromium.RunAsync(new Uri(http.BaseAddress!, "dashboard/"), async b =>
        {
            var page = b.Page;
            await DashboardBrowserTests.SignInAsync(page, TestTokens.Viewer, "test-viewer");
            var count = page.GetByTestId("jobs-count");

            async Task<double> TimedAsync(Func<Task> action, string expected)
            {
                var t = Stopwatch.StartNew();
                await action();
                await Expect(count).ToHaveTextAsync(expected);
                return t.Elapsed.TotalMilliseconds;
            }

            var first = await TimedAsync(() => page.GotoAsync("./#/jobs"), $"Jobs 1–50 of {total:N0}");
            Assert.Equal(50, await page.Locator("tbody tr[data-job]").CountAsync());
            await Screenshots.SaveAsync(page, "dashboard-jobs");
            var older = await TimedAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Older" }).ClickAsync(), $"Jobs 51–100 of {total:N0}");
            var last = await TimedAsync(() => page.GotoAsync("./#/jobs?offset=9950"), $"Jobs 9,951–10,000 of {total:N0}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Older" }).ClickAsync();
            await Expect(count).ToHaveTextAsync($"Jobs 10,001–10,002 of {total:N0}");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Older" })).ToBeDisabledAsync();

            // Filters go to the server: the two completed jobs out of 10,002.
            await page.GetByLabel("Status").SelectOptionAsync("completed");
            var filtered = await TimedAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync(), "Jobs 1–2 of 2");
            Assert.Equal(2, await page.Locator("tbody tr[data-job]").CountAsync());
            Assert.Contains("status=completed", page.Url);
            await page.GetByLabel("Status").SelectOptionAsync("failed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Expect(count).ToHaveTextAsync("No jobs match.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
            await Expect(count).ToHaveTextAsync($"Jobs 1–50 of {total:N0}");

            // One page in the browser, not the history: the page's DOM stays small.
            var rows = await page.Locator("tr").CountAsync();
            Assert.True(rows < 60, $"{rows} table rows in the page");
            output.WriteLine($"jobs page with {total} jobs: first page {first:F0} ms, next page {older:F0} ms, " +
                             $"offset 9950 {last:F0} ms, status filter {filtered:F0} ms");
            b.AssertNoErrors();
        });
    }
}
