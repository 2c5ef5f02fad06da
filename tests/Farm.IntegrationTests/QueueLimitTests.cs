using System.Net;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class QueueLimitTests
{
    [Fact]
    public async Task A_full_queue_answers_429_with_Retry_After_and_drops_nothing_it_accepted()
    {
        using var root = TempDirectory.Create("queue-limit");
        await using var server = await SshBuildServer.StartAsync("127.0.0.6");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"),
            new Dictionary<string, string> { ["Farm__MaxQueueSize"] = "1" });
        await farm.RegisterServerAsync(server, "only", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 1);
        System.Text.Json.Nodes.JsonObject Job(int seconds) => new()
        {
            ["source_repository"] = git.Url(FakeKernelTree.RepoDirName),
            ["target_architecture"] = "x86_64",
            ["build_config"] = new System.Text.Json.Nodes.JsonObject
            {
                ["kernel_config"] = "tinyconfig",
                ["custom_env"] = new System.Text.Json.Nodes.JsonObject { ["FAKE_BUILD_SECONDS"] = seconds.ToString() },
            },
        };

        var running = await farm.SubmitAsync(Job(4));
        await farm.WaitForAsync(running, j => FarmProcess.Status(j) == "building", TimeSpan.FromSeconds(60));
        var waiting = await farm.SubmitAsync(Job(1)); // fills the queue of one

        using var msg = new HttpRequestMessage(HttpMethod.Post, "api/v1/infrastructure/build-jobs") { Content = System.Net.Http.Json.JsonContent.Create(Job(1)) };
        using var full = await farm.Http.SendAsync(msg);

        Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
        Assert.Equal("application/problem+json", full.Content.Headers.ContentType!.MediaType);
        Assert.True(full.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After missing");
        Assert.Equal("completed", FarmProcess.Status(await farm.WaitForEndAsync(running, TimeSpan.FromSeconds(60))));
        Assert.Equal("completed", FarmProcess.Status(await farm.WaitForEndAsync(waiting, TimeSpan.FromSeconds(60))));
    }
}
