using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard over plain HTTP against a real host: its files are served without a token and with
/// a strict content security policy; signing in sets an HttpOnly, SameSite=Strict cookie holding the
/// token, which then works like the bearer header, except that a write without the CSRF header is refused.
/// </summary>
public sealed class DashboardSessionTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private const string Jobs = "api/v1/infrastructure/build-jobs";
    private FarmProcess Farm => fixture.Env.Farm;

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser tab we can inspect.</summary>
    private (HttpClient Http, CookieContainer Cookies) Browser()
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = Farm.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
        };
        return (http, cookies);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient http, string token) =>
        await http.PostAsJsonAsync("dashboard/session", new { token });

    [Fact]
    public async Task The_dashboard_is_served_without_a_token_under_a_strict_content_security_policy()
    {
        var (http, _) = Browser();
        using (http)
        {
            var root = await http.GetAsync("");
            Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
            Assert.Equal("/dashboard/", root.Headers.Location?.OriginalString);

            var page = await http.GetAsync("dashboard/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", await page.Content.ReadAsStringAsync());
            var csp = string.Join(" ", page.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());

            var script = await http.GetAsync("dashboard/js/app.js");
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            // a file that is not there is a 404, not a request for a token
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/js/nope.js")).StatusCode);
            // the files are public, the data is not
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/whoami")).StatusCode);
        }
    }

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_strict_cookie_that_then_authorizes_reads_as_the_tokens_role()
    {
        var (http, cookies) = Browser();
        using (http)
        {
            var bad = await SignInAsync(http, TestTokens.NewToken());
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Equal("token", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
            Assert.Empty(cookies.GetAllCookies());
            var empty = await http.PostAsJsonAsync("dashboard/session", new { });
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.Contains("token", await empty.Content.ReadAsStringAsync());

            var ok = await SignInAsync(http, TestTokens.Viewer);
            var body = await ok.Content.ReadAsStringAsync();
            Assert.True(ok.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("test-viewer", JsonNode.Parse(body)!["name"]!.GetValue<string>());
            Assert.DoesNotContain(TestTokens.Viewer, body);
            var setCookie = ok.Headers.GetValues("Set-Cookie").Single();
            Assert.StartsWith("kfarm_token=", setCookie);
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);

            var who = JsonNode.Parse(await http.GetStringAsync("api/v1/whoami"))!;
            Assert.Equal("viewer", who["role"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(Jobs)).StatusCode);
            // the viewer's cookie does not let it submit, even with the CSRF header
            using var submit = new HttpRequestMessage(HttpMethod.Post, Jobs) { Content = JsonContent.Create(fixture.Env.Job()) };
            submit.Headers.Add("X-KernelFarm-Dashboard", "1");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(submit)).StatusCode);

            var session = JsonNode.Parse(await http.GetStringAsync("dashboard/session"))!;
            Assert.True(session["signed_in"]!.GetValue<bool>());
            Assert.Equal("viewer", session["role"]!.GetValue<string>());

            // signing out removes the cookie: the next read is anonymous again
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("dashboard/session")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/whoami")).StatusCode);
            Assert.False(JsonNode.Parse(await http.GetStringAsync("dashboard/session"))!["signed_in"]!.GetValue<bool>());
        }
    }

    [Fact]
    public async Task A_write_signed_in_by_the_cookie_needs_the_CSRF_header()
    {
        var (http, _) = Browser();
        using (http)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(http, TestTokens.Submitter)).StatusCode);

            // what a form on another site could make a browser send: the cookie, no custom header
            var forged = await http.PostAsJsonAsync(Jobs, fixture.Env.Job());
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Contains("X-KernelFarm-Dashboard", await forged.Content.ReadAsStringAsync());

            using var real = new HttpRequestMessage(HttpMethod.Post, Jobs) { Content = JsonContent.Create(fixture.Env.Job()) };
            real.Headers.Add("X-KernelFarm-Dashboard", "1");
            var accepted = await http.SendAsync(real);
            var text = await accepted.Content.ReadAsStringAsync();
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, text);
            Assert.Equal("test-submitter", JsonNode.Parse(text)!["submitted_by"]!.GetValue<string>());
            await Farm.WaitForEndAsync(JsonNode.Parse(text)!["id"]!.GetValue<string>(), TimeSpan.FromSeconds(90));
        }
    }

    [Fact]
    public async Task The_bearer_header_wins_over_the_cookie()
    {
        var (http, _) = Browser();
        using (http)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(http, TestTokens.Operator)).StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/whoami");
            request.Headers.Authorization = TestTokens.Bearer(TestTokens.Viewer);
            var who = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!;
            Assert.Equal("test-viewer", who["name"]!.GetValue<string>());
        }
    }
}
