using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Kcidb;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Actors.Jobs.JobEffect;
using static KernelFarm.Actors.Jobs.JobInputs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Kcidb;

/// <summary>The job process's decisions about the KCIDB push (docs/kcidb.md "Push"), without an actor.</summary>
public sealed class KcidbPushProcessTests
{
    private const string Id = "j1";
    private const string SubmitUrl = "https://kcidb.example.org/submit";
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly ArtifactTransferActor.Completed PublishedIn = new("/storage/j1", [new("bzImage", 10, new string('a', 64))]);

    private static FarmSettings Settings(bool push) => new()
    {
        Kcidb = new KcidbSettings { SubmitUrl = push ? SubmitUrl : null, PublicUrl = "https://farm.example.org", Token = "kcidb-secret" },
    };

    private JobProcess _process = new(Id, Settings(push: true));
    private JobState _job = JobState.Empty;
    private JobRun _run = JobRun.Fresh;

    private JobDecision Feed(object input)
    {
        var d = _process.Decide(_job, _run, input, Now);
        foreach (var e in d.Events) _job = _job.Apply(e);
        _run = d.Run;
        return d;
    }

    private static CommandResult Ok(string stdout = "") => new(0, stdout, "");

    private static bool Pushes(JobDecision d) => d.Effects.OfType<PushKcidb>().Any();

    /// <summary>Runs the job on srv-1 until its build exits with <paramref name="code"/>; the decision that ends it (after cleanup).</summary>
    private JobDecision RunToEnd(int code)
    {
        Feed(new BuildJobCommands.Create(Id, QueueStateTests.Request(), Now));
        Feed(new BuildJobCommands.Start(Id, QueueStateTests.PlacementFor(Id), 1));
        Feed(new LaunchAnswered(1, Ok("4242\n"), 0));
        Feed(new LogStreamActor.StepObserved("building"));
        Feed(new LogStreamActor.Ended());
        Feed(new RemoteAnswered(RemoteCall.Status, 1, Ok($"exit {code} {(code == 0 ? "done" : "building")}\n")));
        Feed(PublishedIn);
        return Feed(new RemoteAnswered(RemoteCall.Cleanup, 1, Ok()));
    }

    private static KcidbSender.Outcome Outcome(bool delivered, int attempts) =>
        new(new WebhookDelivery(0, SubmitUrl, delivered, attempts, delivered ? 200 : 503, delivered ? null : "HTTP 503", Now));

    [Theory]
    [InlineData(0, JobStatus.Completed)]
    [InlineData(2, JobStatus.Failed)]
    public void A_build_that_ends_with_a_verdict_is_pushed_once_when_a_submit_url_is_set(int exitCode, JobStatus status)
    {
        var end = RunToEnd(exitCode);
        Assert.Equal(status, _job.Status);
        Assert.Single(end.Effects.OfType<PushKcidb>());
        Assert.True(_run.Pushing);
        Assert.False(Pushes(Feed(new Recovered()))); // not again while it is on its way
    }

    [Fact]
    public void No_push_without_a_submit_url()
    {
        _process = new JobProcess(Id, Settings(push: false));
        Assert.False(Pushes(RunToEnd(0)));
        Assert.False(_run.Pushing);
        _run = JobRun.Fresh;
        Assert.False(Pushes(Feed(new Recovered())));
    }

    [Fact]
    public void A_cancelled_job_is_not_pushed()
    {
        Feed(new BuildJobCommands.Create(Id, QueueStateTests.Request(), Now));
        var cancel = Feed(new BuildJobCommands.Cancel(Id));
        Assert.Equal(JobStatus.Cancelled, _job.Status);
        Assert.False(Pushes(cancel));
        _run = JobRun.Fresh;
        Assert.False(Pushes(Feed(new Recovered()))); // nor after a restart
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // given up: recorded as well, and not tried again
    public void The_recorded_outcome_ends_the_push_and_lets_the_job_passivate(bool delivered)
    {
        RunToEnd(0);
        Feed(new Messages.Servers.ServerPoolReplies.Released(Id, QueueStateTests.PlacementFor(Id).Server.Id));
        Assert.Empty(Feed(new Idle()).Effects); // not while the push is on its way: passivation would forget it

        var outcome = Feed(Outcome(delivered, 6));
        var recorded = Assert.IsType<KcidbDelivered>(Assert.Single(outcome.Events));
        Assert.Equal((0, SubmitUrl, delivered, 6), (recorded.Delivery.Index, recorded.Delivery.Url, recorded.Delivery.Delivered, recorded.Delivery.Attempts));
        Assert.Equal(recorded.Delivery, _job.KcidbDelivery);
        Assert.Equal(recorded.Delivery, _job.ToRecord(null).KcidbDelivery);
        Assert.False(_run.Pushing);
        Assert.Equal([new JobEffect.Passivate()], Feed(new Idle()).Effects);

        _run = JobRun.Fresh;
        Assert.False(Pushes(Feed(new Recovered()))); // recorded: never sent again
    }

    [Fact]
    public void After_a_restart_an_ended_job_without_a_recorded_outcome_pushes_again()
    {
        RunToEnd(0);
        _run = JobRun.Fresh; // the node stopped while the push was on its way

        var resumed = Feed(new Recovered());
        Assert.Single(resumed.Effects.OfType<PushKcidb>());
        Assert.True(_run.Pushing);
        Assert.Empty(Feed(Outcome(delivered: true, 1)).Effects.OfType<PushKcidb>());
        Assert.NotNull(_job.KcidbDelivery);
    }

    [Fact]
    public void The_token_is_not_in_any_decision()
    {
        var decisions = new List<JobDecision> { RunToEnd(0), Feed(Outcome(delivered: false, 6)) };
        foreach (var d in decisions)
            Assert.DoesNotContain("kcidb-secret", string.Join('\n', d.Effects.Select(e => e.ToString()).Concat(d.Events.Select(e => e.ToString()))));
        Assert.DoesNotContain("kcidb-secret", System.Text.Json.JsonSerializer.Serialize(_job.ToRecord(null)));
    }
}
