using System.Text.Json.Nodes;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Series;
using KernelFarm.Cli.Tests.Support;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>What `series submit --wait` shows while it waits, and how it polls.</summary>
public sealed class SeriesProgressTests
{
    private static JsonNode Report(string result, params string[] states) => new JsonObject
    {
        ["id"] = "s1",
        ["status"] = result == "running" ? "building" : "completed",
        ["result"] = result,
        ["patches"] = states.Length - 1,
        ["steps"] = new JsonArray(states.Select((state, i) => (JsonNode)new JsonObject
        {
            ["step"] = i, ["subject"] = i == 0 ? "base 0123456789ab" : $"patch {i}", ["state"] = state,
        }).ToArray()),
    };

    [Fact]
    public void Off_a_terminal_each_step_that_changed_state_is_a_line()
    {
        var output = new StringWriter();
        var progress = new SeriesProgress(output, terminal: false, () => 80);
        progress.Show(Report("running", "pending", "pending", "pending"));
        Assert.Equal("", output.ToString());
        progress.Show(Report("running", "building", "pending", "pending"));
        progress.Show(Report("running", "building", "pending", "pending"));
        progress.Show(Report("running", "passed", "applying", "pending"));
        progress.Finish(Report("failed", "passed", "build-failed", "skipped"));
        Assert.Equal(
            "[base] base 0123456789ab: building\n" +
            "[base] base 0123456789ab: passed\n[1/2] patch 1: applying\n" +
            "[1/2] patch 1: build-failed\n[2/2] patch 2: skipped\n",
            output.ToString().Replace("\r\n", "\n"));
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void On_a_terminal_one_line_is_redrawn_and_erased_at_the_end()
    {
        var output = new StringWriter();
        var progress = new SeriesProgress(output, terminal: true, () => 80);
        progress.Show(Report("running", "passed", "building"));
        progress.Finish(Report("passed", "passed", "passed"));
        Assert.Equal("\r\u001b[2Kseries s1 running: 1 patch; [1/1] building\r\u001b[2K", output.ToString());
    }

    [Fact]
    public async Task The_waiter_polls_the_series_until_its_result_is_not_running()
    {
        var answers = new[] { Report("running", "building", "pending"), Report("running", "passed", "building"), Report("passed", "passed", "passed") };
        var handler = new StubHandler((_, i) => StubHandler.Text(answers[i].ToJsonString(), "application/json"));
        using var client = new FarmClient(new CliConfig(new Uri("http://farm.test/"), null, "/dev/null"), handler);
        var final = await new SeriesWaiter(client, "s 1", null) { PollInterval = TimeSpan.Zero }.WaitAsync(CancellationToken.None);
        Assert.Equal("passed", final.Json["result"]!.GetValue<string>());
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("/api/v1/series/s%201", r.RequestUri!.AbsolutePath));
    }
}
