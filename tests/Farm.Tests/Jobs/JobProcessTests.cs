using Akka.Actor;
using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Actors.Jobs.JobEffect;
using static KernelFarm.Actors.Jobs.JobInputs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

/// <summary>Every decision of the job process, without an actor: input in, events, effects and reply out.</summary>
public sealed class JobProcessTests
{
    private const string Id = "j1";
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly FarmSettings Settings = new() { MaxAttempts = 2, ReattachAttempts = 2, DefaultJobTimeout = TimeSpan.FromMinutes(30) };
    private static readonly IReadOnlyList<ArtifactEntry> Published = [new("bzImage", 10, new string('a', 64)), new("build.log", 5, new string('b', 64))];
    private static readonly ArtifactTransferActor.Completed PublishedIn = new("/storage/j1", Published);

    private readonly JobProcess _process = new(Id, Settings);
    private JobState _job = JobState.Empty;
    private JobRun _run = JobRun.Fresh;

    private JobDecision Feed(object input, IActorRef? sender = null)
    {
        var d = _process.Decide(_job, _run, input, Now, sender);
        foreach (var e in d.Events) _job = _job.Apply(e);
        _run = d.Run;
        return d;
    }

    private static Placement On(string server) => QueueStateTests.PlacementFor(Id) is var p ? p with { Server = p.Server with { Id = server } } : null!;
    private static CommandResult Ok(string stdout = "") => new(0, stdout, "");
    private static RemoteCall[] Calls(JobDecision d) => d.Effects.OfType<RunRemote>().Select(r => r.Call).ToArray();

    private void Created(BuildJobRequest? request = null) => Feed(new BuildJobCommands.Create(Id, request ?? QueueStateTests.Request(), Now));

    /// <summary>Created, placed on srv-1 (attempt 1), launched with process group 4242, log streaming.</summary>
    private void Running(BuildJobRequest? request = null)
    {
        Created(request);
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        Feed(new LaunchAnswered(1, Ok("4242\n"), 0));
        Feed(new LogStreamActor.StepObserved("building"));
    }

    /// <summary>The build exited with this code and its log was read to its end.</summary>
    private JobDecision Exited(int code, string step = "building")
    {
        Feed(new LogStreamActor.Ended());
        return Feed(new RemoteAnswered(RemoteCall.Status, 1, Ok($"exit {code} {step}\n")));
    }

    // ---- creation and placement ---------------------------------------------------------------

    [Fact]
    public void Create_records_the_job_once_and_answers_every_time()
    {
        var first = Feed(new BuildJobCommands.Create(Id, QueueStateTests.Request(), Now));
        Assert.IsType<Created>(Assert.Single(first.Events));
        Assert.IsType<JobReply.Created>(first.Reply);

        var again = Feed(new BuildJobCommands.Create(Id, QueueStateTests.Request(), Now));
        Assert.Empty(again.Events);
        Assert.IsType<JobReply.Created>(again.Reply);
    }

    [Fact]
    public void Start_assigns_the_job_moves_it_to_preparing_and_launches_the_script_on_that_server()
    {
        Created();
        var d = Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));

        Assert.Collection(d.Events,
            e => Assert.Equal(("srv-1", 1), (((Assigned)e).Placement.Server.Id, ((Assigned)e).Attempt)),
            e => Assert.Equal(JobStatus.Preparing, ((StepStarted)e).Status));
        Assert.Equal(new JobReply.Started(1), d.Reply);
        Assert.Contains(new CancelTimer(JobTimer.Requeue), d.Effects);
        Assert.Equal([RemoteCall.Launch], Calls(d));
        Assert.Contains(_job.Workspace!, d.Effects.OfType<RunRemote>().Single().Command);
    }

    [Fact]
    public void A_start_for_an_attempt_already_running_is_only_acknowledged()
    {
        Running();
        var d = Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        Assert.Empty(d.Events);
        Assert.Empty(d.Effects);
        Assert.Equal(new JobReply.Started(1), d.Reply);
    }

    [Fact]
    public void A_start_for_a_cancelled_job_gives_the_slot_back_until_the_pool_acknowledges()
    {
        Created();
        Feed(new BuildJobCommands.Cancel(Id));
        var d = Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));

        Assert.Empty(d.Events);
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), d.Effects);
        Assert.Contains(new StartTimer(JobTimer.Release, Settings.RedeliveryInterval, Periodic: true), d.Effects);
        Assert.Equal([new TellPool(new ServerPoolCommands.Release(Id, "srv-1"))], Feed(new TimerFired(JobTimer.Release)).Effects);
        Assert.Equal([new CancelTimer(JobTimer.Release)], Feed(new ServerPoolReplies.Released(Id, "srv-1")).Effects);
    }

    // ---- launch, status, steps --------------------------------------------------------------

    [Fact]
    public void A_launched_build_records_its_process_group_and_log_base_arms_its_time_limit_and_streams_its_log()
    {
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        var d = Feed(new LaunchAnswered(1, Ok("4242\n"), LiveLogLength: 77));

        Assert.Equal(new Launched(4242, Now, 77), Assert.Single(d.Events));
        Assert.Equal([new StartTimer(JobTimer.TimeLimit, TimeSpan.FromMinutes(30)), new StartLogStream()], d.Effects);
    }

    [Fact]
    public void Step_markers_move_the_job_forward_only()
    {
        Running();
        Assert.Equal(JobStatus.Collecting, ((StepStarted)Assert.Single(Feed(new LogStreamActor.StepObserved("collecting")).Events)).Status);
        Assert.Empty(Feed(new LogStreamActor.StepObserved("configuring")).Events);
        Assert.Empty(Feed(new LogStreamActor.StepObserved("nonsense")).Events);
    }

    [Fact]
    public void An_exit_seen_before_the_log_was_drained_reads_the_log_to_its_end_first()
    {
        Running();
        var d = Feed(new RemoteAnswered(RemoteCall.Status, 1, Ok("exit 0 done\n")));
        Assert.Empty(d.Events);
        Assert.Contains(new StartLogStream(), d.Effects);
    }

    [Fact]
    public void A_build_still_running_after_a_re_attach_gets_its_log_stream_back()
    {
        Running();
        Feed(new LogStreamActor.Broken("connection reset"));
        Assert.Equal([RemoteCall.Status], Calls(Feed(new TimerFired(JobTimer.RetryStatus))));
        Assert.Equal([new StartLogStream()], Feed(new RemoteAnswered(RemoteCall.Status, 1, Ok("running 4242\n"))).Effects);
    }

    [Fact]
    public void A_successful_build_is_transferred_and_completes_with_what_was_published()
    {
        Running();
        var exited = Exited(0, "done");
        Assert.Equal(JobStatus.Transferring, ((StepStarted)Assert.Single(exited.Events)).Status);
        Assert.Contains(new Publish(IncludeArtifacts: true, Failure: null), exited.Effects);

        var published = Feed(PublishedIn);
        Assert.Equal(new Completed("/storage/j1", Published, Now), Assert.Single(published.Events));
        Assert.Equal([RemoteCall.Cleanup], Calls(published));

        var cleaned = Feed(new RemoteAnswered(RemoteCall.Cleanup, 1, Ok()));
        Assert.Empty(cleaned.Events);
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), cleaned.Effects);
        Assert.Contains(new StopSession(), cleaned.Effects);
        Assert.Contains(new PassivateWhenIdle(), cleaned.Effects);
    }

    [Fact]
    public void A_boot_test_result_is_read_and_recorded_before_the_transfer()
    {
        Running(QueueStateTests.Request() with { BuildConfig = new BuildConfig { BootTest = true } });
        Assert.Equal([RemoteCall.Boot], Calls(Exited(0, "done")));
        var d = Feed(new RemoteAnswered(RemoteCall.Boot, 1, Ok("status=pass\nduration_s=1.5\n")));
        Assert.IsType<BootTested>(d.Events[0]);
        Assert.Contains(new Publish(true, null), d.Effects);
    }

    [Fact]
    public void A_workspace_kept_on_request_is_not_cleaned_up()
    {
        Running(QueueStateTests.Request() with { BuildConfig = new BuildConfig { KeepWorkspace = true } });
        Exited(0, "done");
        var d = Feed(PublishedIn);
        Assert.Empty(Calls(d));
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), d.Effects);
    }

    // ---- record and storage agree: the final event follows the publication and names it ---------

    [Fact]
    public void A_build_failure_is_recorded_only_once_its_log_is_published_and_names_what_was_published()
    {
        Running();
        var exited = Exited(2);
        var failure = new JobFailure(FailureKind.Build, "building", 2, "building failed with exit code 2");
        // the failure is recorded as decided before the publication; no final event yet: it would name nothing
        Assert.Equal(new FailureDecided(failure, Now), Assert.Single(exited.Events));
        Assert.Equal(new Publish(IncludeArtifacts: false, failure), exited.Effects.OfType<Publish>().Single());
        Assert.Equal((JobStatus.Building, failure), (_job.Status, _job.PendingFailure));

        var published = Feed(PublishedIn);
        var failed = Assert.IsType<Failed>(Assert.Single(published.Events));
        Assert.Equal((failure, "/storage/j1"), (failed.Failure, failed.ArtifactDirectory));
        Assert.Same(Published, failed.Artifacts);
        Assert.Equal(Published, _job.ToRecord(null).Artifacts); // the record lists exactly what storage holds
        Assert.Equal([RemoteCall.Cleanup], Calls(published)); // cleanup only after the event
    }

    [Fact]
    public void A_build_over_its_time_limit_is_killed_then_its_log_published_then_it_fails_as_timeout_naming_the_log()
    {
        Running();
        var limit = Feed(new TimerFired(JobTimer.TimeLimit));
        // persisted before the kill (a decision's effects run once its events are stored)
        Assert.Equal(FailureKind.Timeout, Assert.IsType<FailureDecided>(Assert.Single(limit.Events)).Failure.Kind);
        Assert.Equal([new StopLogStream(), limit.Effects.OfType<RunRemote>().Single()], limit.Effects.Where(e => e is not Log));
        Assert.Equal(RemoteCall.Kill, Calls(limit).Single());

        Assert.Empty(Feed(new LogStreamActor.Ended()).Events); // a stopped stream's last word changes nothing
        var killed = Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok()));
        Assert.Empty(killed.Events);
        var publish = killed.Effects.OfType<Publish>().Single();
        Assert.Equal((false, FailureKind.Timeout), (publish.IncludeArtifacts, publish.Failure!.Kind));

        var failed = Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events));
        Assert.Equal((FailureKind.Timeout, "building"), (failed.Failure.Kind, failed.Failure.Step));
        Assert.Equal(Published, failed.Artifacts);
    }

    [Fact]
    public void A_failed_jobs_log_that_cannot_be_published_leaves_the_failure_recorded_with_nothing_listed()
    {
        Running();
        Exited(2);
        var d = Feed(new ArtifactTransferActor.Failed("disk full", Storage: true));
        var failed = Assert.IsType<Failed>(Assert.Single(d.Events));
        Assert.Equal((FailureKind.Build, (string?)null, (IReadOnlyList<ArtifactEntry>?)null), (failed.Failure.Kind, failed.ArtifactDirectory, failed.Artifacts));
        Assert.EndsWith("(log not published: disk full)", failed.Failure.Message);
    }

    [Fact]
    public void A_log_over_its_cap_stops_the_build_and_fails_as_limit()
    {
        Running();
        var capped = Feed(new LogStreamActor.LimitReached("the log reached 1 MiB"));
        Assert.Equal(FailureKind.Limit, Assert.IsType<FailureDecided>(Assert.Single(capped.Events)).Failure.Kind); // before the kill
        Assert.Equal(RemoteCall.Kill, Calls(capped).Single());
        Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok()));
        Assert.Equal(FailureKind.Limit, Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events)).Failure.Kind);
    }

    [Fact]
    public void Artifacts_over_a_storage_limit_fail_the_job_without_a_retry()
    {
        Running();
        Exited(0, "done");
        var d = Feed(new ArtifactTransferActor.Failed("too many files", Storage: false, Limit: true));
        Assert.Equal(FailureKind.Limit, Assert.IsType<Failed>(Assert.Single(d.Events)).Failure.Kind);
    }

    // ---- infrastructure failures -------------------------------------------------------------

    [Fact]
    public void An_infrastructure_failure_abandons_the_attempt_and_asks_the_queue_for_another_server()
    {
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        var d = Feed(new RemoteFailed(RemoteCall.Launch, 1, "connection refused"));

        var failed = Assert.IsType<AttemptFailed>(Assert.Single(d.Events));
        Assert.Equal((1, "srv-1", FailureKind.Infrastructure), (failed.Attempt, failed.ServerId, failed.Failure.Kind));
        Assert.Contains(new StopSession(), d.Effects);
        Assert.Equal("srv-1", d.Effects.OfType<Abandon>().Single().Server.Id);
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), d.Effects);
        var requeue = (QueueCommands.Requeue)d.Effects.OfType<TellQueue>().Single().Message;
        Assert.Equal(2, requeue.Attempt);
        Assert.Equal(["srv-1"], requeue.AvoidServers);
        Assert.Contains(new StartTimer(JobTimer.Requeue, Settings.RedeliveryInterval, Periodic: true), d.Effects);

        Assert.IsType<TellQueue>(Assert.Single(Feed(new TimerFired(JobTimer.Requeue)).Effects)); // not acknowledged yet
        Assert.Equal([new CancelTimer(JobTimer.Requeue)], Feed(new QueueReplies.Requeued(Id, 2)).Effects);
    }

    [Fact]
    public void An_answer_from_an_abandoned_attempt_is_ignored()
    {
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        Feed(new RemoteFailed(RemoteCall.Launch, 1, "connection refused"));
        Feed(new BuildJobCommands.Start(Id, On("srv-2"), 2));

        var stale = Feed(new LaunchAnswered(1, Ok("999\n"), 0));
        Assert.Empty(stale.Events);
        Assert.Empty(stale.Effects);
        Assert.Empty(Feed(new RemoteFailed(RemoteCall.Status, 1, "gone")).Events);
    }

    [Fact]
    public void The_last_allowed_attempt_failing_for_infrastructure_fails_the_job()
    {
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        Feed(new RemoteFailed(RemoteCall.Launch, 1, "refused"));
        Feed(new BuildJobCommands.Start(Id, On("srv-2"), 2));
        var d = Feed(new LaunchAnswered(2, new CommandResult(1, "", "no space"), 0));

        var failed = Assert.IsType<Failed>(Assert.Single(d.Events));
        Assert.Equal((FailureKind.Infrastructure, "preparing"), (failed.Failure.Kind, failed.Failure.Step));
        Assert.Equal([RemoteCall.Cleanup], Calls(d));
    }

    [Fact]
    public void A_broken_log_stream_is_re_attached_until_its_budget_is_spent()
    {
        Running();
        for (var i = 0; i < Settings.ReattachAttempts; i++)
            Assert.Contains(new StartTimer(JobTimer.RetryStatus, Settings.ReattachDelay), Feed(new LogStreamActor.Broken("reset")).Effects);
        Assert.IsType<AttemptFailed>(Assert.Single(Feed(new LogStreamActor.Broken("reset")).Events));
    }

    [Fact]
    public void A_vanished_build_is_an_infrastructure_failure()
    {
        Running();
        Feed(new LogStreamActor.Ended());
        var d = Feed(new RemoteAnswered(RemoteCall.Status, 1, Ok("vanished\n")));
        Assert.Contains("disappeared", Assert.IsType<AttemptFailed>(Assert.Single(d.Events)).Failure.Message);
    }

    // ---- cancel at every step ----------------------------------------------------------------

    [Fact]
    public void Cancel_of_a_queued_job_ends_it_and_withdraws_it_from_the_queue()
    {
        Created();
        var d = Feed(new BuildJobCommands.Cancel(Id));
        Assert.IsType<Cancelled>(Assert.Single(d.Events));
        Assert.Contains(new TellQueue(new QueueCommands.Withdraw(Id)), d.Effects);
        Assert.IsType<JobReply.View>(d.Reply);
    }

    [Theory]
    [InlineData("preparing")]
    [InlineData("building")]
    public void Cancel_on_the_server_kills_the_build_cleans_up_and_then_ends_cancelled(string step)
    {
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        if (step == "building") { Feed(new LaunchAnswered(1, Ok("4242"), 0)); Feed(new LogStreamActor.StepObserved("building")); }

        var d = Feed(new BuildJobCommands.Cancel(Id));
        Assert.IsType<CancelRequested>(Assert.Single(d.Events));
        Assert.Equal([RemoteCall.Kill], Calls(d));
        Assert.Empty(Feed(new LaunchAnswered(1, Ok("4242"), 0)).Effects); // a launch answered after the cancel starts nothing
        Assert.Equal([RemoteCall.Cleanup], Calls(Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok()))));
        var cleaned = Feed(new RemoteAnswered(RemoteCall.Cleanup, 1, Ok()));
        Assert.IsType<Cancelled>(Assert.Single(cleaned.Events));
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), cleaned.Effects);
    }

    [Fact]
    public void Cancel_that_cannot_reach_the_server_is_recorded_anyway()
    {
        Running();
        Feed(new BuildJobCommands.Cancel(Id));
        Assert.IsType<Cancelled>(Assert.Single(Feed(new RemoteFailed(RemoteCall.Kill, 1, "unreachable")).Events));
    }

    [Fact]
    public void Cancel_during_the_transfer_lets_the_publication_decide_so_storage_and_record_agree()
    {
        Running();
        Exited(0, "done");
        var d = Feed(new BuildJobCommands.Cancel(Id));
        Assert.IsType<CancelRequested>(Assert.Single(d.Events));
        Assert.Empty(Calls(d)); // no kill: it would remove the workspace the transfer reads
        Assert.IsType<Completed>(Assert.Single(Feed(PublishedIn).Events));
    }

    [Fact]
    public void Cancel_during_a_transfer_that_fails_ends_the_job_cancelled()
    {
        Running();
        Exited(0, "done");
        Feed(new BuildJobCommands.Cancel(Id));
        Assert.Equal([RemoteCall.Cleanup], Calls(Feed(new ArtifactTransferActor.Failed("connection reset", Storage: false))));
        Assert.IsType<Cancelled>(Assert.Single(Feed(new RemoteAnswered(RemoteCall.Cleanup, 1, Ok())).Events));
    }

    [Fact]
    public void Cancel_while_a_time_limit_stops_the_build_does_not_kill_twice_and_the_timeout_is_recorded()
    {
        Running();
        Feed(new TimerFired(JobTimer.TimeLimit));
        Assert.Empty(Calls(Feed(new BuildJobCommands.Cancel(Id))));
        Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok()));
        Assert.Equal(FailureKind.Timeout, Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events)).Failure.Kind);
    }

    [Fact]
    public void Cancel_of_an_ended_job_says_so()
    {
        Running();
        Exited(0, "done");
        Feed(PublishedIn);
        Assert.IsType<JobReply.AlreadyFinished>(Feed(new BuildJobCommands.Cancel(Id)).Reply);
    }

    // ---- recovery (re-attach) ----------------------------------------------------------------

    [Fact]
    public void A_recovered_running_build_is_re_attached_with_its_remaining_time_limit()
    {
        Running();
        _run = JobRun.Fresh; // a new incarnation
        var d = Feed(new Recovered());
        Assert.Contains(new StartTimer(JobTimer.TimeLimit, TimeSpan.FromMinutes(30)), d.Effects);
        Assert.Equal([RemoteCall.Status], Calls(d));
    }

    [Fact]
    public void A_recovered_transfer_publishes_again_and_a_recovered_launch_launches_again()
    {
        Running();
        Exited(0, "done");
        Assert.Contains(new Publish(true, null), Feed(new Recovered()).Effects);

        _job = JobState.Empty;
        Created();
        Feed(new BuildJobCommands.Start(Id, On("srv-1"), 1));
        Assert.Equal([RemoteCall.Launch], Calls(Feed(new Recovered())));
    }

    /// <summary>The node died after the failure was decided: before the kill, during it or during the publication.</summary>
    [Theory]
    [InlineData(FailureKind.Timeout)]
    [InlineData(FailureKind.Limit)]
    public void A_recovered_limit_failure_kills_again_publishes_the_log_and_fails_with_that_kind_never_reading_the_exit(FailureKind kind)
    {
        Running();
        Feed(kind == FailureKind.Timeout ? new TimerFired(JobTimer.TimeLimit) : new LogStreamActor.LimitReached("the log reached 1 MiB"));
        _run = JobRun.Fresh; // a new incarnation: the kill or the publication in flight is lost

        var recovered = Feed(new Recovered());
        Assert.Empty(recovered.Events);
        Assert.Equal([RemoteCall.Kill], Calls(recovered)); // no status check: the killed build's exit would read as a build failure
        Assert.DoesNotContain(recovered.Effects, e => e is StartTimer or StartLogStream);

        var publish = Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok())).Effects.OfType<Publish>().Single();
        Assert.Equal((false, kind), (publish.IncludeArtifacts, publish.Failure!.Kind));
        var failed = Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events));
        Assert.Equal((kind, "building", (int?)null), (failed.Failure.Kind, failed.Failure.Step, failed.Failure.ExitCode));
        Assert.Equal(Published, failed.Artifacts);
    }

    [Fact]
    public void A_recovered_build_failure_publishes_its_log_without_a_kill_and_fails_with_its_exit_code()
    {
        Running();
        Exited(2);
        _run = JobRun.Fresh;

        var recovered = Feed(new Recovered());
        Assert.Empty(Calls(recovered)); // the build ended by itself: nothing to kill, and an unreachable server cannot make it an infrastructure failure
        Assert.Equal(new Publish(false, _job.PendingFailure), recovered.Effects.OfType<Publish>().Single());
        var failed = Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events));
        Assert.Equal((FailureKind.Build, 2), (failed.Failure.Kind, failed.Failure.ExitCode));
    }

    [Fact]
    public void A_cancel_recorded_while_a_limit_stopped_the_build_still_ends_as_the_failures_publication_decides_after_a_restart()
    {
        Running();
        Feed(new TimerFired(JobTimer.TimeLimit));
        Feed(new BuildJobCommands.Cancel(Id));
        _run = JobRun.Fresh;

        Assert.Equal([RemoteCall.Kill], Calls(Feed(new Recovered())));
        Assert.Contains(Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok())).Effects, e => e is Publish { Failure.Kind: FailureKind.Timeout }); // not the cancel's cleanup
        Assert.Equal(FailureKind.Timeout, Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events)).Failure.Kind);
    }

    [Fact]
    public void A_cancel_after_a_restart_in_the_failures_window_does_not_kill_again_and_the_failure_is_recorded()
    {
        Running();
        Feed(new TimerFired(JobTimer.TimeLimit));
        _run = JobRun.Fresh;
        Feed(new Recovered());

        var cancel = Feed(new BuildJobCommands.Cancel(Id));
        Assert.IsType<CancelRequested>(Assert.Single(cancel.Events));
        Assert.Empty(Calls(cancel));
        Feed(new RemoteAnswered(RemoteCall.Kill, 1, Ok()));
        Assert.Equal(FailureKind.Timeout, Assert.IsType<Failed>(Assert.Single(Feed(PublishedIn).Events)).Failure.Kind);
    }

    [Fact]
    public void A_recovered_ended_job_releases_its_slot_again_and_delivers_its_remaining_webhooks()
    {
        var hook = new Webhook { Url = "https://hooks.example.org/x" };
        Running(QueueStateTests.Request() with { Webhooks = [hook, hook] });
        Exited(0, "done");
        Feed(PublishedIn);
        Feed(new WebhookSender.Outcome(new WebhookDelivery(0, hook.Url, true, 1, 200, null, Now)));
        _run = JobRun.Fresh;

        var d = Feed(new Recovered());
        Assert.Contains(new TellPool(new ServerPoolCommands.Release(Id, "srv-1")), d.Effects);
        Assert.Equal([new CallWebhook(1)], d.Effects.OfType<CallWebhook>()); // 0 was delivered
        Assert.Empty(Feed(new Idle()).Effects); // not while a webhook is on its way
        Feed(new WebhookSender.Outcome(new WebhookDelivery(1, hook.Url, true, 1, 200, null, Now)));
        Feed(new ServerPoolReplies.Released(Id, "srv-1"));
        Assert.Equal([new JobEffect.Passivate()], Feed(new Idle()).Effects);
    }

    // ---- recall -------------------------------------------------------------------------------

    [Fact]
    public void Commands_before_the_create_wait_for_the_queues_recall_and_are_answered_then()
    {
        var (get, cancel) = (new FakeRef("get"), new FakeRef("cancel"));
        var first = Feed(new BuildJobCommands.Get(Id), get);
        Assert.Contains(new TellQueue(new QueueCommands.Recall(Id)), first.Effects);
        Assert.Empty(Feed(new BuildJobCommands.Cancel(Id), cancel).Effects); // asked once for both

        var d = Feed(new QueueReplies.Recalled(Id, QueueStateTests.Request(), Now));
        Assert.Equal([typeof(Created), typeof(Cancelled)], d.Events.Select(e => e.GetType()));
        Assert.Contains(new AnswerQueue(new JobReply.Created()), d.Effects);
        Assert.Contains(new Answer(get, new JobReply.View()), d.Effects);
        Assert.Contains(new Answer(cancel, new JobReply.View()), d.Effects);
    }

    [Fact]
    public void Commands_for_a_job_the_queue_does_not_know_are_answered_not_found_when_the_recall_times_out()
    {
        var get = new FakeRef("get");
        Feed(new BuildJobCommands.Get(Id), get);
        var d = Feed(new TimerFired(JobTimer.Recall));
        Assert.Contains(new Answer(get, new JobReply.NotFound()), d.Effects);
        Assert.Contains(new PassivateWhenIdle(), d.Effects);
    }

    /// <summary>An actor reference that is only a name: the process keeps it and hands it back in an effect.</summary>
    private sealed class FakeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(Address.AllSystems) / name;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
