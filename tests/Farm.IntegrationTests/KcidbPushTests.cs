using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The KCIDB push on a real farm (docs/kcidb.md "Push"): Farm:Kcidb:SubmitUrl names a receiver on loopback
/// that answers 503 to the first POST and 200 after. No webhook allowances: the submit URL is the operator's
/// configuration and does not go through the webhook address policy.
/// </summary>
[Trait("Tier", "Full")] // its own farm and a build
public sealed class KcidbPushTests : IAsyncDisposable
{
    private const string Token = "kcidb-push-secret-7f3a";
    private const string Origin = "kfarm_push";
    private const string PublicUrl = "https://farm.example.org";

    /// <summary>503 to the first POST, 200 after.</summary>
    private readonly HttpReceiver _receiver = new(n => n == 1 ? 503 : 200);

    public ValueTask DisposeAsync() => _receiver.DisposeAsync();

    [Fact]
    public async Task A_completed_build_is_pushed_to_the_submit_url_retried_once_and_its_delivery_recorded()
    {
        await using var env = await FarmWithServers.StartAsync(environment: new Dictionary<string, string>
        {
            ["Farm__Kcidb__SubmitUrl"] = _receiver.Url("submit"),
            ["Farm__Kcidb__Token"] = Token,
            ["Farm__Kcidb__Origin"] = Origin,
            ["Farm__Kcidb__PublicUrl"] = PublicUrl,
        });
        var farm = env.Farm;
        var id = await farm.SubmitAsync(env.Job());

        var job = await farm.WaitForAsync(id, j => j["kcidb_delivery"] is JsonObject, TimeSpan.FromMinutes(3));
        Assert.Equal("completed", FarmProcess.Status(job));
        var delivery = job["kcidb_delivery"]!.AsObject();
        Assert.True(delivery["delivered"]!.GetValue<bool>(), delivery.ToJsonString());
        Assert.Equal(2, delivery["attempts"]!.GetValue<int>()); // the 503 was retried
        Assert.Equal(200, delivery["http_status"]!.GetValue<int>());
        Assert.Equal(_receiver.Url("submit"), delivery["url"]!.GetValue<string>());

        // two POSTs of the same document, the second accepted; nothing after the recorded delivery
        await Task.Delay(TimeSpan.FromSeconds(1));
        var calls = _receiver.Requests;
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal("/submit", c.Path);
            Assert.Equal($"Bearer {Token}", c.Headers["Authorization"]);
            Assert.StartsWith("application/json", c.ContentType);
        });
        Assert.Equal(calls[0].Body, calls[1].Body);

        await KcidbSchema.AssertValidAsync(calls[1].Body);
        var doc = JsonNode.Parse(calls[1].Body)!.AsObject();
        var build = Assert.Single(doc["builds"]!.AsArray())!.AsObject();
        Assert.Equal(($"{Origin}:{id}", "PASS"), (build["id"]!.GetValue<string>(), build["status"]!.GetValue<string>()));
        Assert.Equal($"{PublicUrl}/api/v1/infrastructure/build-jobs/{id}/log", build["log_url"]!.GetValue<string>());
        var checkout = Assert.Single(doc["checkouts"]!.AsArray())!.AsObject();
        Assert.Equal(checkout["id"]!.GetValue<string>(), build["checkout_id"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{40}$", checkout["git_commit_hash"]!.GetValue<string>()); // metadata.json was read

        // the token is a secret: not in the job's answer, nor in the host's log
        using (var r = await farm.Http.GetAsync($"api/v1/infrastructure/build-jobs/{id}"))
            Assert.DoesNotContain(Token, await r.Content.ReadAsStringAsync());
        var log = await ReadSharedAsync(farm.LogPath);
        Assert.Contains("pushed to KCIDB after 2 attempt(s)", log);
        Assert.DoesNotContain(Token, log);
    }

    /// <summary>The host's log while the host still writes it.</summary>
    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
