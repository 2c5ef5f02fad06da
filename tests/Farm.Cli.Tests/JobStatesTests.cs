using System.Text.Json;
using KernelFarm.Cli.Jobs;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>
/// The CLI decides from a job alone whether it has ended (on every poll, offline too); that rule must
/// be the farm's: every state the farm calls final, and no other.
/// </summary>
public sealed class JobStatesTests
{
    public static TheoryData<JobStatus> States() => new(Enum.GetValues<JobStatus>());

    [Theory]
    [MemberData(nameof(States))]
    public void A_state_has_ended_for_the_cli_exactly_when_it_is_final_for_the_farm(JobStatus state) =>
        Assert.Equal(state.IsTerminal(), JobStates.IsTerminal(JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString())));

    [Fact]
    public void An_unknown_or_missing_state_has_not_ended()
    {
        Assert.False(JobStates.IsTerminal(null));
        Assert.False(JobStates.IsTerminal("Completed"));
    }
}
