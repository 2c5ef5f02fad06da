using KernelFarm.Actors.Plans;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using Xunit;
using static KernelFarm.Messages.Plans.PlanEvents;

namespace KernelFarm.Tests.Plans;

/// <summary>A plan's state and summary: what is left to queue, each build's state, when it has ended, its result.</summary>
public sealed class PlanStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static PlanBuild Supported(int i) => new() { Index = i, Path = $"jobs[0].builds[{i}]", JobId = $"job-{i}", Request = new BuildJobRequest() };
    private static PlanBuild Unsupported(int i) => new() { Index = i, Path = $"jobs[0].builds[{i}]", Unsupported = "architecture powerpc …" };

    private static PlanState Accepted(params PlanBuild[] builds) =>
        PlanState.Empty.Apply(new PlanEvents.Accepted("p", "n", null, "git://r", "master", null, "ci", builds, T0)
        {
            Webhooks = [new Webhook { Url = "http://127.0.0.1:1/a" }, new Webhook { Url = "http://127.0.0.1:1/b" }],
        });

    [Fact]
    public void Builds_are_queued_in_file_order_skipping_the_unsupported_and_nothing_after_a_cancel()
    {
        var state = Accepted(Supported(0), Unsupported(1), Supported(2));
        Assert.Equal(0, state.NextToQueue()!.Index);
        state = state.Apply(new BuildQueued(0, T0));
        Assert.Equal(2, state.NextToQueue()!.Index);
        Assert.Equal([(0, "job-0")], state.QueuedJobs());
        state = state.Apply(new CancelRequested(T0));
        Assert.Null(state.NextToQueue());
        Assert.Equal("kfarm-plan:p:2", PlanState.QueueKey("p", 2));
    }

    [Fact]
    public void Each_build_has_a_state_and_the_plan_ends_when_every_build_has()
    {
        var state = Accepted(Supported(0), Unsupported(1), Supported(2), Supported(3)).Apply(new BuildQueued(0, T0)).Apply(new BuildQueued(2, T0));
        var record = state.Record!;
        var jobs = new Dictionary<int, JobStatus> { [0] = JobStatus.Building };
        Assert.Equal(["building", "unsupported", "queued", "pending"], record.Builds.Select(b => PlanSummary.StateOf(record, b, jobs)));
        Assert.Equal(new PlanSummary.Counts(Queued: 2, Running: 1, Completed: 0, Failed: 0, Cancelled: 0, Unsupported: 1), PlanSummary.Count(record, jobs));
        Assert.False(PlanSummary.AllEnded(record, jobs));
        Assert.Null(PlanSummary.Result(record, jobs));

        // cancelled before build 3 was queued: it never runs, and counts as cancelled
        record = state.Apply(new CancelRequested(T0)).Record!;
        jobs = new Dictionary<int, JobStatus> { [0] = JobStatus.Completed, [2] = JobStatus.Cancelled };
        Assert.Equal(["completed", "unsupported", "cancelled", "cancelled"], record.Builds.Select(b => PlanSummary.StateOf(record, b, jobs)));
        Assert.True(PlanSummary.AllEnded(record, jobs));
        Assert.Equal("fail", PlanSummary.Result(record, jobs));
    }

    [Fact]
    public void A_plan_passes_only_when_every_supported_build_completed()
    {
        var record = Accepted(Supported(0), Unsupported(1)).Apply(new BuildQueued(0, T0)).Record!;
        Assert.Equal("pass", PlanSummary.Result(record, new Dictionary<int, JobStatus> { [0] = JobStatus.Completed }));
        Assert.Equal("fail", PlanSummary.Result(record, new Dictionary<int, JobStatus> { [0] = JobStatus.Failed }));
        var nothing = Accepted(Unsupported(0)).Record!; // nothing could run: not a pass
        Assert.Equal("fail", PlanSummary.Result(nothing, new Dictionary<int, JobStatus>()));
    }

    [Fact]
    public void Webhooks_are_called_after_the_end_until_each_is_delivered_or_given_up()
    {
        var state = Accepted(Supported(0)).Apply(new BuildQueued(0, T0));
        Assert.Empty(state.WebhooksToCall()); // not before the end
        state = state.Apply(new Ended("pass", T0));
        Assert.Equal([0, 1], state.WebhooksToCall());
        Assert.Equal("pass", state.Record!.Result);
        state = state.Apply(new WebhookDone(new WebhookDelivery(1, "http://127.0.0.1:1/b", false, 6, null, "refused", T0)));
        Assert.Equal([0], state.WebhooksToCall());
    }
}
