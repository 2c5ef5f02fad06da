using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

public sealed class DurationStatsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset T(double seconds) => T0.AddSeconds(seconds);

    /// <summary>Created at T0 (or <paramref name="created"/>), queued 100 s, then on a server for <paramref name="seconds"/> until completed.</summary>
    private static JobState Completed(double seconds, string arch = "x86_64", DateTimeOffset? created = null)
    {
        var at = created ?? T0;
        return Started(arch, at)
            .Apply(new StepStarted(JobStatus.Building, at.AddSeconds(100 + seconds / 2)))
            .Apply(new Completed("/artifacts/j", [], at.AddSeconds(100 + seconds)));
    }

    private static JobState Started(string arch, DateTimeOffset created) => JobState.Empty
        .Apply(new Created("j", QueueStateTests.Request(arch), created))
        .Apply(new Assigned(QueueStateTests.PlacementFor("j"), "/ws", 1, created.AddSeconds(100)));

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_duration_runs_from_arriving_on_a_server_to_completing_leaving_out_the_queue() =>
        Assert.Equal(S(42), DurationStats.DurationOf(Completed(42)));

    [Fact]
    public void A_retried_job_is_timed_from_its_first_attempt()
    {
        var job = Started("x86_64", T0)
            .Apply(new AttemptFailed(1, "srv-1", new JobFailure(FailureKind.Infrastructure, "preparing", null, "ssh lost"), T(130), T(120)))
            .Apply(new Assigned(QueueStateTests.PlacementFor("j"), "/ws", 2, T(140)))
            .Apply(new Completed("/artifacts/j", [], T(200)));
        Assert.Equal(S(100), DurationStats.DurationOf(job));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var tens = Enumerable.Range(1, 10).Select(i => S(i * 10)).ToList();
        Assert.Equal(S(50), DurationStats.NearestRank(tens, 50));
        Assert.Equal(S(90), DurationStats.NearestRank(tens, 90));
        Assert.Equal(S(100), DurationStats.NearestRank(tens, 100));
        Assert.Equal(S(10), DurationStats.NearestRank(tens, 0));
        Assert.Equal(S(7), DurationStats.NearestRank([S(7)], 90));
        // Three values: rank ⌈0.5·3⌉ = 2 and ⌈0.9·3⌉ = 3, never an interpolated value.
        Assert.Equal(S(20), DurationStats.NearestRank([S(10), S(20), S(40)], 50));
        Assert.Equal(S(40), DurationStats.NearestRank([S(10), S(20), S(40)], 90));
    }

    [Fact]
    public void Jobs_are_summarised_per_architecture_sorted_by_it()
    {
        var jobs = new[] { 30.0, 10, 20, 40 }.Select(s => Completed(s, "x86_64")).Append(Completed(5, "arm64")).Append(Completed(7, "arm64"));
        var stats = DurationStats.ByArchitecture(jobs, T0);
        Assert.Equal(
            [new DurationStats.Summary("arm64", 2, S(5), S(7), S(7)), new DurationStats.Summary("x86_64", 4, S(20), S(40), S(40))],
            stats);
    }

    [Fact]
    public void Jobs_that_did_not_complete_are_left_out()
    {
        var failed = Started("x86_64", T0).Apply(new Failed(new JobFailure(FailureKind.Build, "building", 2, "make failed"), null, T(150)));
        var cancelled = Started("x86_64", T0).Apply(new Cancelled(T(150)));
        var running = Started("x86_64", T0).Apply(new StepStarted(JobStatus.Building, T(110)));
        var queued = JobState.Empty.Apply(new Created("j", QueueStateTests.Request(), T0));
        Assert.Empty(DurationStats.ByArchitecture([failed, cancelled, running, queued, JobState.Empty], T0));
        Assert.Single(DurationStats.ByArchitecture([failed, Completed(10)], T0));
    }

    [Fact]
    public void Jobs_created_before_since_are_left_out_and_since_is_inclusive()
    {
        var stats = DurationStats.ByArchitecture([Completed(10, created: T(-1)), Completed(20, created: T0), Completed(30, created: T(60))], T0);
        var x86 = Assert.Single(stats);
        Assert.Equal(2, x86.Count);
        Assert.Equal(S(30), x86.Max);
    }
}
