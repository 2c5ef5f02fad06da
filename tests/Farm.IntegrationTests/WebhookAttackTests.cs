using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A hostile submitter's webhooks against a farm with the default settings (no allowed networks or
/// headers): real listeners on loopback must never be reached, credential headers are refused, and
/// other users never see where a job reports to.
/// </summary>
[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class WebhookAttackTests(FarmFixture fixture) : IClassFixture<FarmFixture>, IDisposable
{
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    // A real listener: a connection to it would show in its accept queue.
    private readonly TcpListener _listener = Listening();
    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private static TcpListener Listening()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    public void Dispose() => _listener.Stop();

    private JsonObject JobWithHooks(params JsonObject[] hooks)
    {
        var job = Env.Job();
        job["webhooks"] = new JsonArray(hooks.Select(h => (JsonNode)h).ToArray());
        return job;
    }

    private static Dictionary<string, string> Errors(JsonObject problem) =>
        problem["errors"]!.AsArray().ToDictionary(e => e!["field"]!.GetValue<string>(), e => e!["message"]!.GetValue<string>());

    private HttpClient ClientWith(string token)
    {
        var http = new HttpClient { BaseAddress = Farm.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(token);
        return http;
    }

    [Fact]
    public async Task Webhooks_to_a_listener_on_loopback_or_to_internal_addresses_are_refused_at_submission()
    {
        string[] urls =
        [
            $"http://127.0.0.1:{Port}/hook",
            $"http://[::ffff:127.0.0.1]:{Port}/hook",
            $"http://2130706433:{Port}/hook", // 127.0.0.1 as one number
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/hook",
        ];
        var (status, body) = await Farm.PostJobAsync(JobWithHooks(urls.Select(u => new JsonObject { ["url"] = u }).ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = Errors(body);
        for (var i = 0; i < urls.Length; i++) Assert.Contains("Farm__Webhooks__AllowedNetworks", errors[$"webhooks[{i}].url"]);
        Assert.Contains("loopback", errors["webhooks[0].url"]);
        Assert.Contains("link-local", errors["webhooks[3].url"]);
        Assert.False(_listener.Pending());
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_loopback_is_never_connected_to_and_the_delivery_records_why()
    {
        var id = await Farm.SubmitAsync(JobWithHooks(new JsonObject { ["url"] = $"http://localhost:{Port}/hook" }));

        var job = await Farm.WaitForAsync(id, j => j["webhook_deliveries"]?.AsArray().Count >= 1, TimeSpan.FromSeconds(90));
        Assert.Equal("completed", FarmProcess.Status(job));
        var delivery = Assert.Single(job["webhook_deliveries"]!.AsArray())!;
        Assert.False(delivery["delivered"]!.GetValue<bool>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>()); // a refused address is final, not retried
        var error = delivery["error"]!.GetValue<string>();
        Assert.Contains("localhost resolves to 127.0.0.1", error);
        Assert.Contains("loopback", error);
        Assert.False(_listener.Pending()); // the farm never opened a connection to the listener
    }

    [Fact]
    public async Task Credential_and_routing_headers_are_refused_naming_each_header()
    {
        string[] names = ["Authorization", "cookie", "X-Forwarded-For", "Forwarded", "Proxy-Authorization", "Host", "X-KernelFarm-Delivery"];
        var headers = new JsonObject();
        foreach (var n in names) headers[n] = "x";
        var (status, body) = await Farm.PostJobAsync(JobWithHooks(new JsonObject { ["url"] = "https://ci.example.com/h", ["headers"] = headers }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = Errors(body);
        foreach (var n in names) Assert.Contains($"webhooks[0].headers.{n}", errors.Keys);
        Assert.Contains("AllowedHeaders", errors["webhooks[0].headers.Authorization"]);
    }

    [Fact]
    public async Task Events_beyond_the_known_distinct_ones_are_refused()
    {
        var events = new JsonArray(Enumerable.Repeat((JsonNode?)"completed", 1000).Select(e => e!.DeepClone()).ToArray());
        var (status, body) = await Farm.PostJobAsync(JobWithHooks(new JsonObject { ["url"] = "https://ci.example.com/h", ["events"] = events }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 3", Errors(body)["webhooks[0].events"]);
    }

    [Fact]
    public async Task Only_the_submitter_and_operators_see_a_jobs_webhooks_and_deliveries()
    {
        using var submitter = ClientWith(TestTokens.Submitter);
        using var viewer = ClientWith(TestTokens.Viewer);
        // Unresolvable here: the delivery fails and is recorded with its error.
        var hook = "http://hooks.internal.invalid/secret-path";
        using var submitted = await submitter.PostAsJsonAsync("api/v1/infrastructure/build-jobs", JobWithHooks(new JsonObject { ["url"] = hook }));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Farm.WaitForAsync(id, j => j["webhook_deliveries"]?.AsArray().Count >= 1, TimeSpan.FromSeconds(90));

        async Task<string> Job(HttpClient http) => await http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}");
        async Task<string> List(HttpClient http) => await http.GetStringAsync("api/v1/infrastructure/build-jobs?limit=1000");

        Assert.Contains(hook, await Job(submitter));               // the owner (submitted_by = test-submitter)
        Assert.Contains("webhook_deliveries", await Job(submitter));
        Assert.Contains(hook, await Job(Farm.Http));                // an operator
        var seenByViewer = JsonNode.Parse(await Job(viewer))!.AsObject();
        Assert.Equal(id, seenByViewer["id"]!.GetValue<string>());   // the job itself is visible…
        Assert.False(seenByViewer.ContainsKey("webhooks"));         // …without where it reports to
        Assert.False(seenByViewer.ContainsKey("webhook_deliveries"));
        Assert.DoesNotContain("hooks.internal.invalid", await List(viewer));
        Assert.Contains("hooks.internal.invalid", await List(submitter));

        // An operator's job seen by the submitter, who does not own it: no webhooks either.
        var other = await Farm.SubmitAsync(JobWithHooks(new JsonObject { ["url"] = "http://operators-hook.invalid/h" }));
        Assert.DoesNotContain("operators-hook.invalid", await submitter.GetStringAsync($"api/v1/infrastructure/build-jobs/{other}"));
        Assert.Contains("operators-hook.invalid", await Job(Farm.Http) + await Farm.Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{other}"));
    }
}
