using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>A bisection's webhook: called once when it ends, retried like a job's, with the outcome.</summary>
public sealed class BisectionWebhookTests(WebhookFarmFixture fixture) : IClassFixture<WebhookFarmFixture>
{
    [Fact]
    public async Task The_bisections_webhook_fires_once_at_its_end_with_the_first_bad_commit()
    {
        var env = fixture.Env;
        await using var receiver = new HttpReceiver(n => n == 1 ? 503 : 200); // the first call fails: the farm tries again
        var (branch, good, commits) = BisectionTests.History(env.Tree.BareRepoPath, "hook", 5, i => i == 3 ? BisectionTests.MainWith("#error \"kfarm hook\"\n") : null);
        var body = env.Job();
        body.Remove("commit_hash");
        body["branch"] = branch;
        body["toolchain"] = "gcc-12";
        body["good"] = good;
        body["bad"] = branch;
        body["criterion"] = new JsonObject { ["kind"] = "build_fails" };
        body["webhooks"] = new JsonArray(new JsonObject { ["url"] = receiver.Url("bisected"), ["headers"] = new JsonObject { ["X-Receiver-Token"] = "t0k3n" } });
        using var response = await env.Farm.Http.PostAsJsonAsync("api/v1/bisections", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();

        var ended = await BisectionTests.WaitAsync(env.Farm, id, TimeSpan.FromSeconds(120));
        Assert.Equal("found", ended["result"]!.GetValue<string>());
        await Eventually.ValueAsync(() => Task.FromResult(receiver.Requests.Count), n => n >= 2, TimeSpan.FromSeconds(30), "the webhook's retry");
        await Consistently.HoldsAsync(() => { Assert.Equal(2, receiver.Requests.Count); return Task.CompletedTask; }, TimeSpan.FromSeconds(3));
        Assert.All(receiver.Requests, call =>
        {
            Assert.Equal("/bisected", call.Path);
            Assert.Equal("bisection-ended", call.Headers["X-KernelFarm-Event"]);
            Assert.Equal($"bisection-{id}-0", call.Headers["X-KernelFarm-Delivery"]);
            Assert.Equal("t0k3n", call.Headers["X-Receiver-Token"]);
            var b = JsonNode.Parse(call.Body)!["bisection"]!;
            Assert.Equal(id, b["id"]!.GetValue<string>());
            Assert.Equal("found", b["result"]!.GetValue<string>());
            Assert.Equal(commits[2], b["first_bad"]!["sha"]!.GetValue<string>());
            Assert.Contains(b["excerpt"]!.AsArray(), l => l!.GetValue<string>().Contains("kfarm hook"));
        });
        // the delivery is recorded on the bisection (its owner sees it)
        var view = await BisectionTests.WaitAsync(env.Farm, id, TimeSpan.FromSeconds(30), v => v["webhook_deliveries"]!.AsArray().Count == 1);
        Assert.True(view["webhook_deliveries"]![0]!["delivered"]!.GetValue<bool>());
        Assert.Equal(2, view["webhook_deliveries"]![0]!["attempts"]!.GetValue<int>());
    }
}
