using System.Text.Json.Nodes;
using KernelFarm.Cli.Bisect;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>When `bisect start --wait` stops waiting, and what it exits with: 0 only for a first bad commit found.</summary>
public sealed class BisectionOutcomeTests
{
    private static JsonNode View(string state, string? result) =>
        new JsonObject { ["id"] = "b1", ["state"] = state, ["result"] = result, ["steps"] = new JsonArray() };

    [Theory]
    [InlineData("found", ExitCodes.Ok)]
    [InlineData("ambiguous", ExitCodes.Failure)]
    [InlineData("ends_wrong", ExitCodes.Failure)]
    [InlineData("failed", ExitCodes.Failure)]
    [InlineData("cancelled", ExitCodes.Failure)]
    [InlineData("a-result-a-newer-farm-added", ExitCodes.Failure)]
    public void Only_a_first_bad_commit_found_exits_0_every_other_end_exits_as_a_failed_job(string result, int exit)
    {
        var view = View("ended", result);
        Assert.True(BisectionOutcome.HasEnded(view));
        Assert.Equal(exit, BisectionOutcome.ExitCode(view));
    }

    [Theory]
    [InlineData("listing")]
    [InlineData("checking_ends")]
    [InlineData("bisecting")]
    public void A_bisection_that_runs_has_not_ended_and_is_not_a_success(string state)
    {
        Assert.False(BisectionOutcome.HasEnded(View(state, null)));
        Assert.Equal(ExitCodes.Failure, BisectionOutcome.ExitCode(View(state, null)));
        // "found" only counts once it has ended (a result is set with the end, never before)
        Assert.False(BisectionOutcome.Found(View(state, "found")));
    }

    [Fact]
    public void A_view_without_a_state_has_not_ended()
    {
        Assert.False(BisectionOutcome.HasEnded(JsonNode.Parse("{}")));
        Assert.False(BisectionOutcome.HasEnded(null));
    }
}
