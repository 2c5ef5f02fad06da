using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

public sealed class JobFilterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static JobState Job(string arch = "x86_64", string? server = null, DateTimeOffset? created = null)
    {
        var state = JobState.Empty.Apply(new Created("j", QueueStateTests.Request(arch), created ?? At));
        if (server is null) return state;
        var p = QueueStateTests.PlacementFor("j");
        return state.Apply(new Assigned(p with { Server = p.Server with { Id = server } }, "/ws", 1, At));
    }

    [Fact]
    public void Everything_but_a_job_that_does_not_exist_passes_an_empty_filter()
    {
        Assert.True(JobFilter.All.Matches(Job()));
        Assert.False(JobFilter.All.Matches(JobState.Empty));
    }

    [Fact]
    public void Each_field_filters()
    {
        Assert.True(new JobFilter(Status: JobStatus.Queued).Matches(Job()));
        Assert.False(new JobFilter(Status: JobStatus.Completed).Matches(Job()));
        Assert.True(new JobFilter(Architecture: "ARM64").Matches(Job("arm64")));
        Assert.False(new JobFilter(Architecture: "arm64").Matches(Job()));
        Assert.True(new JobFilter(Server: "b").Matches(Job(server: "b")));
        Assert.False(new JobFilter(Server: "b").Matches(Job(server: "a")));
        Assert.False(new JobFilter(Server: "b").Matches(Job()));
    }

    [Fact]
    public void Since_is_inclusive_and_until_exclusive()
    {
        Assert.True(new JobFilter(Since: At).Matches(Job()));
        Assert.False(new JobFilter(Since: At.AddTicks(1)).Matches(Job()));
        Assert.False(new JobFilter(Until: At).Matches(Job()));
        Assert.True(new JobFilter(Until: At.AddTicks(1)).Matches(Job()));
    }
}
