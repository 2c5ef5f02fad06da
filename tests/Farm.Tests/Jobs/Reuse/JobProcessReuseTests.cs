using Akka.Actor;
using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Reuse;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Actors.Jobs.JobEffect;
using static KernelFarm.Actors.Jobs.JobInputs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs.Reuse;

/// <summary>The job process's side of result reuse: look up before the queue may place the job, take a result, or build.</summary>
public sealed class JobProcessReuseTests
{
    private const string Id = "j2";
    private const string Gcc = "gcc (Debian 12.2.0-14) 12.2.0";
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly IReadOnlyList<ArtifactEntry> Files = [new("vmlinux", 10, new string('a', 64)), new("build.log", 5, new string('b', 64))];

    private JobProcess _process = new(Id, new FarmSettings());
    private JobState _job = JobState.Empty;
    private JobRun _run = JobRun.Fresh;

    private JobDecision Feed(object input)
    {
        var d = _process.Decide(_job, _run, input, Now, ActorRefs.Nobody);
        foreach (var e in d.Events) _job = _job.Apply(e);
        _run = d.Run;
        return d;
    }

    private static JobState Source(BootResult? boot = null) => JobState.Queued("j1", ReuseKeyTests.Request(), Now.AddHours(-1))
        .Apply(new Completed("/storage/j1", Files, Now.AddMinutes(-30), ReuseKey.Of(ReuseKeyTests.Request(), Gcc)))
        with { Boot = boot };

    [Fact]
    public void An_eligible_job_looks_for_a_result_before_the_queue_hears_it_was_created()
    {
        var d = Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        Assert.IsType<Created>(Assert.Single(d.Events));
        Assert.Null(d.Reply); // the queue may not place it yet
        Assert.Contains(new LookUpResult(), d.Effects);

        // the queue's re-sent Create while the lookup runs starts no second lookup and is answered later
        var again = Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        Assert.Empty(again.Events);
        Assert.Null(again.Reply);
        Assert.DoesNotContain(new LookUpResult(), again.Effects);
    }

    [Fact]
    public void A_found_result_is_copied_and_the_job_completes_from_it_without_a_server()
    {
        Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        var source = Source(new BootResult(BootStatus.Pass, 3.5, null));
        var found = Feed(new ResultLookedUp(source, source.ReuseKey));
        Assert.Equal(new CopyResult(source, source.ReuseKey!), Assert.Single(found.Effects));
        Assert.Empty(found.Events);

        var copied = Feed(new ResultCopied("j1", source.ReuseKey!, "/storage/j2", Files, source.Boot));
        Assert.Collection(copied.Events,
            e => Assert.Equal(source.Boot, ((BootTested)e).Result),
            e => Assert.Equal(("/storage/j2", source.ReuseKey, "j1"), (((Completed)e).ArtifactDirectory, ((Completed)e).ReuseKey, ((Completed)e).ReusedFrom)));
        Assert.Contains(copied.Effects, e => e is AnswerQueue { Reply: JobReply.Created });
        Assert.Equal((JobStatus.Completed, "j1", 0), (_job.Status, _job.ReusedFrom, _job.Attempts.Count));
        Assert.Equal("j1", _job.ToRecord(null).ReusedFrom);
        Assert.Equal("gcc-12", _job.ToRecord(null).Toolchain);
    }

    [Fact]
    public void No_result_a_failed_lookup_or_a_failed_copy_lets_the_job_build()
    {
        Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        var none = Feed(new ResultLookedUp(null, null));
        Assert.Empty(none.Events);
        Assert.Contains(none.Effects, e => e is AnswerQueue { Reply: JobReply.Created });
        // once checked, a re-sent Create is answered at once
        Assert.IsType<JobReply.Created>(Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now)).Reply);

        _job = JobState.Empty; _run = JobRun.Fresh;
        Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        var failed = Feed(new ResultLookedUp(null, null, "the index did not answer"));
        Assert.Contains(failed.Effects, e => e is AnswerQueue { Reply: JobReply.Created });
        Assert.Contains(failed.Effects, e => e is Log l && l.Message.Contains("the index did not answer"));

        _job = JobState.Empty; _run = JobRun.Fresh;
        Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        Feed(new ResultLookedUp(Source(), Source().ReuseKey));
        var copyFailed = Feed(new ResultCopyFailed("job j1's artifact folder is gone"));
        Assert.Empty(copyFailed.Events);
        Assert.Equal(JobStatus.Queued, _job.Status);
        Assert.Contains(copyFailed.Effects, e => e is AnswerQueue { Reply: JobReply.Created });
    }

    [Fact]
    public void A_job_cancelled_during_the_lookup_stays_cancelled()
    {
        Feed(new BuildJobCommands.Create(Id, ReuseKeyTests.Request(), Now));
        Feed(new BuildJobCommands.Cancel(Id));
        Assert.Equal(JobStatus.Cancelled, _job.Status);
        Assert.DoesNotContain(Feed(new ResultLookedUp(Source(), Source().ReuseKey)).Effects, e => e is CopyResult);
    }

    [Theory]
    [InlineData("no_cache")]
    [InlineData("branch tip")]
    [InlineData("no toolchain")]
    [InlineData("turned off")]
    public void A_job_that_may_not_reuse_is_answered_at_once(string why)
    {
        var request = ReuseKeyTests.Request();
        if (why == "turned off") _process = new JobProcess(Id, new FarmSettings { ResultReuse = false });
        request = why switch
        {
            "no_cache" => request with { NoCache = true },
            "branch tip" => request with { CommitHash = "HEAD" },
            "no toolchain" => request with { Toolchain = null },
            _ => request,
        };
        var d = Feed(new BuildJobCommands.Create(Id, request, Now));
        Assert.IsType<JobReply.Created>(d.Reply);
        Assert.DoesNotContain(new LookUpResult(), d.Effects);
    }

    [Fact]
    public void A_build_completes_with_its_key_from_the_request_and_the_placements_compiler_never_from_its_log()
    {
        var request = ReuseKeyTests.Request() with { NoCache = true }; // no_cache builds, and its result may serve later jobs
        Feed(new BuildJobCommands.Create(Id, request, Now));
        var placement = QueueStateTests.PlacementFor(Id) with { Compiler = Gcc };
        Feed(new BuildJobCommands.Start(Id, placement, 1));
        Feed(new LaunchAnswered(1, new CommandResult(0, "4242\n", ""), 0));
        Feed(new LogStreamActor.Ended());
        Feed(new RemoteAnswered(RemoteCall.Status, 1, new CommandResult(0, "exit 0 done\n", "")));
        var completed = Assert.IsType<Completed>(Assert.Single(Feed(new ArtifactTransferActor.Completed("/storage/j2", Files)).Events));
        Assert.Equal(ReuseKey.Of(request, Gcc), completed.ReuseKey);
        Assert.Null(completed.ReusedFrom);

        // in a container, or with no compiler known, the result is kept from reuse
        _job = JobState.Empty; _run = JobRun.Fresh;
        Feed(new BuildJobCommands.Create(Id, request, Now));
        Feed(new BuildJobCommands.Start(Id, placement with { ContainerImage = "localhost/builder:1" }, 1));
        Feed(new LaunchAnswered(1, new CommandResult(0, "4242\n", ""), 0));
        Feed(new LogStreamActor.Ended());
        Feed(new RemoteAnswered(RemoteCall.Status, 1, new CommandResult(0, "exit 0 done\n", "")));
        Assert.Null(Assert.IsType<Completed>(Assert.Single(Feed(new ArtifactTransferActor.Completed("/storage/j2", Files)).Events)).ReuseKey);
    }
}
