using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Webhooks of ended jobs, delivered to a real HTTP listener on loopback that fails the first call. The farm
/// allows loopback and Authorization by configuration (<see cref="WebhookFarmFixture"/>); WebhookAttackTests
/// shows what a farm without those allowances refuses.
/// </summary>
[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class WebhookTests(WebhookFarmFixture fixture) : IClassFixture<WebhookFarmFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private sealed record Call(string Path, string? Event, string? Delivery, string? Token, string? Authorization, JsonObject Body);

    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly HttpListener _listener = new();
    private readonly int _port = FreePort.Get("127.0.0.1");
    private int _failuresLeft;
    private Task? _serving;

    private string Url(string path) => $"http://127.0.0.1:{_port}/{path}";

    /// <summary>Answers 503 to the first <paramref name="failFirst"/> calls, 200 after; /redirect… answers 302 to <paramref name="redirectTo"/>.</summary>
    private void Listen(int failFirst, string? redirectTo = null)
    {
        _failuresLeft = failFirst;
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                using var reader = new StreamReader(ctx.Request.InputStream);
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
                _calls.Enqueue(new Call(ctx.Request.Url!.AbsolutePath, ctx.Request.Headers["X-KernelFarm-Event"],
                    ctx.Request.Headers["X-KernelFarm-Delivery"], ctx.Request.Headers["X-Receiver-Token"], ctx.Request.Headers["Authorization"], body));
                if (redirectTo is not null && ctx.Request.Url.AbsolutePath.StartsWith("/redirect"))
                {
                    ctx.Response.StatusCode = 302;
                    ctx.Response.RedirectLocation = redirectTo;
                }
                else ctx.Response.StatusCode = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 503 : 200;
                ctx.Response.Close();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening) _listener.Stop();
        if (_serving is not null) await _serving;
        _listener.Close();
    }

    private JsonObject JobWithHooks(JsonArray hooks, JsonArray? fragments = null)
    {
        var job = Env.Job(fragments: fragments);
        job["webhooks"] = hooks;
        return job;
    }

    private async Task<JsonObject> WaitForDeliveriesAsync(string id, int count)
    {
        return await Farm.WaitForAsync(id, j => j["webhook_deliveries"]?.AsArray().Count >= count, Timeout);
    }

    [Fact]
    public async Task A_completed_job_calls_its_webhook_retrying_until_it_is_delivered_and_records_the_delivery()
    {
        Listen(failFirst: 1);
        var id = await Farm.SubmitAsync(JobWithHooks([
            new JsonObject
            {
                ["url"] = Url("done"),
                // Authorization only because this farm allows it (Farm__Webhooks__AllowedHeaders__0)
                ["headers"] = new JsonObject { ["X-Receiver-Token"] = "receiver-secret-1", ["Authorization"] = "Bearer receiver-secret-2" },
            },
            new JsonObject { ["url"] = Url("failures-only"), ["events"] = new JsonArray("failed") },
        ]));

        var job = await WaitForDeliveriesAsync(id, 1);
        Assert.Equal("completed", FarmProcess.Status(job));
        var delivery = Assert.Single(job["webhook_deliveries"]!.AsArray())!;
        Assert.True(delivery["delivered"]!.GetValue<bool>());
        Assert.Equal(2, delivery["attempts"]!.GetValue<int>()); // the 503 was retried
        Assert.Equal(200, delivery["http_status"]!.GetValue<int>());

        var calls = _calls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.All(calls, c =>
        {
            Assert.Equal("/done", c.Path);
            Assert.Equal("completed", c.Event);
            Assert.Equal($"{id}-0", c.Delivery);
            Assert.Equal("receiver-secret-1", c.Token);
            Assert.Equal("Bearer receiver-secret-2", c.Authorization);
            Assert.Equal(id, c.Body["job_id"]!.GetValue<string>());
            Assert.Contains("bzImage", c.Body["artifacts"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()));
        });

        // The view shows the header's name, never its value.
        var view = (await Farm.GetJobAsync(id)).ToJsonString();
        Assert.DoesNotContain("receiver-secret-1", view);
        Assert.DoesNotContain("receiver-secret-2", view);
        Assert.Contains("X-Receiver-Token", view);
    }

    [Fact]
    public async Task A_failed_job_calls_the_webhook_that_asked_for_failures_and_one_that_never_answers_is_given_up()
    {
        Listen(failFirst: 0);
        var deadPort = FreePort.Get("127.0.0.1"); // nothing listens there: every attempt is refused
        var id = await Farm.SubmitAsync(JobWithHooks([
            new JsonObject { ["url"] = Url("failures"), ["events"] = new JsonArray("failed") },
            new JsonObject { ["url"] = $"http://127.0.0.1:{deadPort}/nobody", ["events"] = new JsonArray("failed", "completed") },
        ], fragments: ["CONFIG_FAKE_BROKEN=y"]));

        var job = await Farm.WaitForAsync(id, j => j["webhook_deliveries"]?.AsArray().Count >= 2, TimeSpan.FromMinutes(4));
        Assert.Equal("failed", FarmProcess.Status(job));
        var deliveries = job["webhook_deliveries"]!.AsArray().OrderBy(d => d!["index"]!.GetValue<int>()).ToList();
        Assert.True(deliveries[0]!["delivered"]!.GetValue<bool>());
        Assert.False(deliveries[1]!["delivered"]!.GetValue<bool>());
        Assert.True(deliveries[1]!["attempts"]!.GetValue<int>() > 1);
        Assert.False(string.IsNullOrEmpty(deliveries[1]!["error"]!.GetValue<string>()));
        var call = Assert.Single(_calls);
        Assert.Equal("failed", call.Event);
        Assert.Equal("building", call.Body["failure"]!["step"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_webhooks_are_refused_naming_the_field()
    {
        var (status, body) = await Farm.PostJobAsync(JobWithHooks([new JsonObject { ["url"] = "file:///etc/passwd" }]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("webhooks[0].url", body.ToJsonString());
    }

    [Fact]
    public async Task A_redirect_is_recorded_as_a_failed_delivery_and_never_followed_even_to_an_allowed_address()
    {
        // The second listener would be allowed (loopback is, here): only the redirect rule keeps it uncalled.
        using var second = new TcpListener(IPAddress.Loopback, 0);
        second.Start();
        try
        {
            Listen(failFirst: 0, redirectTo: $"http://127.0.0.1:{((IPEndPoint)second.LocalEndpoint).Port}/stolen");
            var id = await Farm.SubmitAsync(JobWithHooks([new JsonObject { ["url"] = Url("redirect") }]));

            var job = await WaitForDeliveriesAsync(id, 1);
            var delivery = Assert.Single(job["webhook_deliveries"]!.AsArray())!;
            Assert.False(delivery["delivered"]!.GetValue<bool>());
            Assert.Equal(302, delivery["http_status"]!.GetValue<int>());
            Assert.Equal(1, delivery["attempts"]!.GetValue<int>()); // a redirect is final, not retried
            Assert.Contains("redirect", delivery["error"]!.GetValue<string>());
            Assert.Equal("/redirect", Assert.Single(_calls).Path);
            Assert.False(second.Pending()); // nobody even connected to the redirect's target
        }
        finally { second.Stop(); }
    }
}
