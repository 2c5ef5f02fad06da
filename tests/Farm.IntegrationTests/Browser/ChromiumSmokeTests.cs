using KernelFarm.IntegrationTests.Fixtures;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KernelFarm.IntegrationTests.Browser;

/// <summary>
/// The browser path without the dashboard: Debian's chromium, driven through the Playwright driver
/// in the build output, loads a page from a local server, runs its script, and the fixture's error
/// checks both pass on a clean page and fail on a broken one.
/// </summary>
[Trait("Tier", "Full")] // a browser
public sealed class ChromiumSmokeTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string FormPage = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>KernelFarm smoke</title><link rel="icon" href="data:,"></head>
        <body>
          <h1>Queue a build</h1>
          <form id="queue">
            <label for="version">Kernel version</label>
            <input id="version" name="version" autocomplete="off">
            <label for="arch">Architecture</label>
            <select id="arch" name="arch"><option>x86_64</option><option>arm64</option></select>
            <button type="submit">Queue build</button>
          </form>
          <p role="status" id="result"></p>
          <script src="app.js"></script>
        </body>
        </html>
        """;

    // Asks the server (like the dashboard asks the farm's API) and shows its answer.
    private const string Script = """
        document.getElementById('queue').addEventListener('submit', async (event) => {
          event.preventDefault();
          const version = document.getElementById('version').value;
          const arch = document.getElementById('arch').value;
          const response = await fetch('api/queue?version=' + encodeURIComponent(version) + '&arch=' + encodeURIComponent(arch));
          const body = await response.json();
          document.getElementById('result').textContent = body.text;
        });
        """;

    private const string BrokenPage = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Broken</title><link rel="icon" href="data:,"></head>
        <body>
          <h1>Broken on purpose</h1>
          <img src="missing.png" alt="">
          <script>
            console.error('kfarm: a deliberate console error');
            setTimeout(() => { throw new Error('kfarm: a deliberate uncaught error'); }, 0);
          </script>
        </body>
        </html>
        """;

    private static StaticSite StartSite() => StaticSite.Start(new Dictionary<string, Func<HttpListenerRequest, (string, string)>>
    {
        ["/form.html"] = StaticSite.Fixed("text/html; charset=utf-8", FormPage),
        ["/app.js"] = StaticSite.Fixed("text/javascript; charset=utf-8", Script),
        ["/api/queue"] = request => ("application/json", JsonSerializer.Serialize(new
        {
            text = $"Queued linux-{request.QueryString["version"]} for {request.QueryString["arch"]}",
        })),
        ["/broken.html"] = StaticSite.Fixed("text/html; charset=utf-8", BrokenPage),
    });

    [Fact]
    public async Task A_form_filled_by_label_and_submitted_by_role_shows_what_the_script_fetched()
    {
        await using var site = StartSite();
        output.WriteLine($"chromium {chromium.Browser.Version} launched in {chromium.LaunchTime.TotalMilliseconds:F0} ms (driver start included)");

        await chromium.RunAsync(site.BaseUrl, async b =>
        {
            var watch = Stopwatch.StartNew();
            var response = await b.Page.GotoAsync("form.html"); // relative to the context's base url
            output.WriteLine($"form.html loaded in {watch.ElapsedMilliseconds} ms");
            Assert.Equal(200, response!.Status);
            await Expect(b.Page).ToHaveTitleAsync("KernelFarm smoke");

            await b.Page.GetByLabel("Kernel version").FillAsync("6.1.42");
            await b.Page.GetByLabel("Architecture").SelectOptionAsync("arm64");
            await b.Page.GetByRole(AriaRole.Button, new() { Name = "Queue build" }).ClickAsync();

            await Expect(b.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Queued linux-6.1.42 for arm64");
            await Screenshots.SaveAsync(b.Page, "chromium-smoke");
            b.AssertNoErrors();
        });

        Assert.Contains("/api/queue", site.Requests);
    }

    [Fact]
    public async Task Console_errors_uncaught_exceptions_and_failed_loads_are_caught_and_fail_the_check()
    {
        await using var site = StartSite();
        await using var b = await chromium.NewPageAsync(site.BaseUrl);

        await b.Page.GotoAsync("broken.html");
        await Expect(b.Page.GetByRole(AriaRole.Heading, new() { Name = "Broken on purpose" })).ToBeVisibleAsync();

        // The events come from the driver a little after the page raised them.
        await Eventually.TrueAsync(() => b.ConsoleErrors.Count >= 2 && b.PageErrors.Count >= 1, TimeSpan.FromSeconds(15),
            "two console errors and a page error", every: TimeSpan.FromMilliseconds(50));

        Assert.Contains(b.ConsoleErrors, e => e.StartsWith("kfarm: a deliberate console error", StringComparison.Ordinal));
        Assert.Contains(b.ConsoleErrors, e => e.Contains("404") && e.Contains("missing.png")); // chromium's "Failed to load resource"
        Assert.Contains(b.PageErrors, e => e.Contains("kfarm: a deliberate uncaught error"));
        var failure = Assert.Throws<Xunit.Sdk.XunitException>(b.AssertNoErrors);
        Assert.Contains("console.error: kfarm: a deliberate console error", failure.Message);
        Assert.Contains("page error: ", failure.Message);
    }

    [Fact]
    public async Task A_failing_browser_test_leaves_a_screenshot_that_its_failure_names()
    {
        await using var site = StartSite();
        var failure = await Assert.ThrowsAsync<BrowserTestFailedException>(() => chromium.RunAsync(site.BaseUrl, async b =>
        {
            await b.Page.GotoAsync("form.html");
            await Expect(b.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("never shown", new() { Timeout = 500 });
        }));

        output.WriteLine(failure.Message);
        Assert.IsType<PlaywrightException>(failure.InnerException);
        var path = Path.Combine(ChromiumFixture.FailureDirectory, nameof(A_failing_browser_test_leaves_a_screenshot_that_its_failure_names) + ".png");
        Assert.Contains("screenshot: " + path, failure.Message);
        Assert.Contains("url: " + site.BaseUrl + "form.html", failure.Message);
        AssertPng(path);
        File.Delete(path);
    }

    [Fact]
    public async Task Screenshots_are_written_only_where_a_directory_is_given()
    {
        await using var site = StartSite();
        await using var b = await chromium.NewPageAsync(site.BaseUrl);
        await b.Page.GotoAsync("form.html");

        Assert.Null(await Screenshots.SaveToAsync(b.Page, null, "nowhere"));
        Assert.Null(await Screenshots.SaveToAsync(b.Page, "", "nowhere"));

        var directory = Path.Combine(Path.GetTempPath(), "kfarm-screenshots-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var path = await Screenshots.SaveToAsync(b.Page, directory, "../form page");
            Assert.Equal(Path.Combine(directory, "-form-page.png"), path);
            AssertPng(path!);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}
