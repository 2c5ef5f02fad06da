using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Xunit;

namespace KernelFarm.IntegrationTests.Browser;

/// <summary>
/// One headless Debian chromium (<c>/usr/bin/chromium</c>, installed by scripts/install-deps.sh)
/// driven by Playwright, one per test class (an <c>IClassFixture</c>; the browser tests run one class
/// at a time in the main test collection, see AssemblyInfo.cs).
/// Nothing is downloaded: the driver is the node that the Microsoft.Playwright package copies
/// into the build output (<c>bin/…/.playwright</c>), the browser is the one apt installed.
/// </summary>
/// <remarks>
/// A dashboard test starts a farm with <c>FarmProcess</c> (or takes the shared one of
/// <c>FarmFixture</c>) and opens <c>&lt;farm base url&gt;/dashboard/</c>:
/// <code>
/// public sealed class DashboardTests(ChromiumFixture chromium, FarmFixture farm) : IClassFixture&lt;ChromiumFixture&gt;, IClassFixture&lt;FarmFixture&gt;
/// {
///     [Fact]
///     public async Task Lists_the_build_servers()
///     {
///         var f = farm.Env.Farm;                        // or: await using var f = await FarmProcess.StartAsync(root.Path);
///         await chromium.RunAsync(new Uri(f.Http.BaseAddress!, "dashboard/"), async b =>
///         {
///             await b.Page.GotoAsync("./");             // relative to the base url: …/dashboard/
///             await Assertions.Expect(b.Page.GetByRole(AriaRole.Row, new() { Name = "x86" })).ToBeVisibleAsync();
///             await Screenshots.SaveAsync(b.Page, "dashboard-servers");   // only with KFARM_SCREENSHOTS set
///             b.AssertNoErrors();
///         }, o => o.ExtraHTTPHeaders = new Dictionary&lt;string, string&gt; { ["Authorization"] = "Bearer " + TestTokens.Viewer });
///     }
/// }
/// </code>
/// <see cref="RunAsync"/> saves a screenshot under <see cref="FailureDirectory"/> when the body
/// throws and names it in the failure. Timeouts are 15 s for actions and Expect, 30 s for
/// navigation: room for a loaded two-core machine without hiding a page that never shows up.
/// The tests of the assembly run one at a time (AssemblyInfo.cs), so one browser is enough; each
/// page gets its own context (cookies, storage) so tests do not see each other's state.
/// </remarks>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium; <c>KFARM_CHROMIUM</c> names another executable.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("KFARM_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public const float ActionTimeoutMs = 15_000;
    public const float NavigationTimeoutMs = 30_000;

    /// <summary>Where <see cref="RunAsync"/> puts the screenshot of a failed test: bin/&lt;Config&gt;/net10.0/browser-failures.</summary>
    public static string FailureDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "browser-failures");

    /// <summary>
    /// The launch options. Playwright adds <c>--no-sandbox</c> itself unless ChromiumSandbox is true,
    /// and chromium's sandbox does not start as root (the tests' and CI's user), so it stays false
    /// here explicitly. <c>--headless</c> (chromium's new headless mode) also comes from Playwright.
    /// </summary>
    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        ChromiumSandbox = false,
        Timeout = 60_000,
    };

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the fixture is not initialised");

    /// <summary>How long starting the driver and launching chromium took.</summary>
    public TimeSpan LaunchTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new FileNotFoundException($"no chromium at {ExecutablePath}: run scripts/install-deps.sh (apt-get install chromium)", ExecutablePath);
        Assertions.SetDefaultExpectTimeout(ActionTimeoutMs);
        var watch = Stopwatch.StartNew();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(LaunchOptions);
        LaunchTime = watch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>
    /// A page in a fresh context whose base url is <paramref name="baseUrl"/> (so <c>GotoAsync("x")</c>
    /// is relative to it), 1280×800, en-US, UTC, with the fixture's timeouts, collecting console
    /// and page errors. Dispose it to close the context.
    /// </summary>
    public async Task<BrowserPage> NewPageAsync(string baseUrl, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        try
        {
            context.SetDefaultTimeout(ActionTimeoutMs);
            context.SetDefaultNavigationTimeout(NavigationTimeoutMs);
            var page = await context.NewPageAsync();
            return new BrowserPage(context, page, baseUrl);
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    public Task<BrowserPage> NewPageAsync(Uri baseUrl, Action<BrowserNewContextOptions>? configure = null) =>
        NewPageAsync(baseUrl.ToString(), configure);

    /// <summary>
    /// Runs <paramref name="test"/> on a new page. If it throws, saves a full-page screenshot as
    /// browser-failures/&lt;test&gt;.png and throws a <see cref="BrowserTestFailedException"/>
    /// that names it, with the console and page errors seen, around the original exception.
    /// </summary>
    public async Task RunAsync(string baseUrl, Func<BrowserPage, Task> test, Action<BrowserNewContextOptions>? configure = null,
        [CallerMemberName] string testName = "")
    {
        await using var browserPage = await NewPageAsync(baseUrl, configure);
        try
        {
            await test(browserPage);
        }
        catch (Exception e) when (e is not BrowserTestFailedException)
        {
            string screenshot;
            try
            {
                screenshot = await browserPage.SaveFailureScreenshotAsync(testName);
            }
            catch (Exception shotError)
            {
                screenshot = $"(none: {shotError.GetType().Name}: {shotError.Message})";
            }
            throw new BrowserTestFailedException(
                $"{e.GetType().Name}: {e.Message}\nscreenshot: {screenshot}\nurl: {browserPage.Page.Url}\n" +
                $"console and page errors: {(browserPage.Errors.Count == 0 ? "none" : "\n  " + string.Join("\n  ", browserPage.Errors))}", e);
        }
    }

    public Task RunAsync(Uri baseUrl, Func<BrowserPage, Task> test, Action<BrowserNewContextOptions>? configure = null,
        [CallerMemberName] string testName = "") => RunAsync(baseUrl.ToString(), test, configure, testName);
}

/// <summary>A browser test failed; the message names its screenshot.</summary>
public sealed class BrowserTestFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>A page in its own browser context, with the console errors and uncaught exceptions it logged.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _pageErrors = [];

    internal BrowserPage(IBrowserContext context, IPage page, string baseUrl)
    {
        Context = context;
        Page = page;
        BaseUrl = baseUrl;
        // Raised on Playwright's connection thread: lock the lists.
        page.Console += (_, message) =>
        {
            if (message.Type != "error") return;
            var where = string.IsNullOrEmpty(message.Location) ? "" : $" ({message.Location})";
            lock (_consoleErrors) _consoleErrors.Add(message.Text + where);
        };
        page.PageError += (_, error) =>
        {
            lock (_pageErrors) _pageErrors.Add(error);
        };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public string BaseUrl { get; }

    /// <summary><c>console.error</c> messages, including chromium's own (a failed resource load is one).</summary>
    public IReadOnlyList<string> ConsoleErrors { get { lock (_consoleErrors) return [.. _consoleErrors]; } }

    /// <summary>Uncaught exceptions and unhandled promise rejections of the page's scripts.</summary>
    public IReadOnlyList<string> PageErrors { get { lock (_pageErrors) return [.. _pageErrors]; } }

    /// <summary>Both kinds, labelled.</summary>
    public IReadOnlyList<string> Errors =>
        [.. ConsoleErrors.Select(e => "console.error: " + e), .. PageErrors.Select(e => "page error: " + e)];

    /// <summary>Fails (Xunit.Sdk.XunitException) listing every console and page error, if there was one.</summary>
    public void AssertNoErrors()
    {
        var errors = Errors;
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException($"the page logged {errors.Count} error(s):\n  " + string.Join("\n  ", errors));
    }

    /// <summary>Saves a full-page PNG under <see cref="ChromiumFixture.FailureDirectory"/> and returns its path.</summary>
    public async Task<string> SaveFailureScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ChromiumFixture.FailureDirectory);
        var path = Path.Combine(ChromiumFixture.FailureDirectory, Screenshots.FileName(name));
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = ChromiumFixture.ActionTimeoutMs });
        return path;
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
