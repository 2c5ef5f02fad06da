using Akka.Actor;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Queue;

/// <summary>QueueActor against probes standing in for the job shard region and the server pool.</summary>
public sealed class QueueActorTests : ActorTest
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly TestProbe _jobs;
    private readonly TestProbe _pool;
    private readonly TestProbe _client;

    public QueueActorTests()
    {
        _jobs = CreateTestProbe("jobs");
        _pool = CreateTestProbe("pool");
        _client = CreateTestProbe("client");
        _jobs.IgnoreMessages<QueueReplies.Requeued>(); // acknowledgements of Requeue: tested on their own below
    }

    /// <summary>Redelivery is off unless a test asks for it: a re-sent message must not surprise the others.</summary>
    private static FarmSettings NoRedelivery(int maxQueueSize = 1000) =>
        new() { RedeliveryInterval = TimeSpan.FromHours(1), MaxQueueSize = maxQueueSize };

    private IActorRef StartQueue(FarmSettings? settings = null, TestProbe? jobs = null, TestProbe? pool = null) =>
        Sys.ActorOf(QueueActor.Props(settings ?? NoRedelivery(), (jobs ?? _jobs).Ref, (pool ?? _pool).Ref));

    private static BuildJobRequest Request(string arch = "x86_64", int priority = 0) => QueueStateTests.Request(arch, priority);

    /// <summary>Submits, takes the client's Accepted and the job actor's Create.</summary>
    /// <param name="confirm">Answer the Create as the job actor would.</param>
    private BuildJobCommands.Create Submit(IActorRef queue, string jobId, BuildJobRequest? request = null, string? key = null, bool confirm = true)
    {
        queue.Tell(new QueueCommands.Submit(jobId, request ?? Request(), key), _client.Ref);
        Assert.Equal(jobId, _client.ExpectMsg<QueueReplies.Accepted>().Job.Id);
        var create = _jobs.ExpectMsg<BuildJobCommands.Create>();
        Assert.Equal(jobId, create.JobId);
        if (confirm) Confirm(queue, create);
        return create;
    }

    private void Confirm(IActorRef queue, BuildJobCommands.Create create, TestProbe? jobs = null) =>
        queue.Tell(new BuildJobReplies.Created(new JobRecord { Id = create.JobId, Request = create.Request, CreatedAt = create.At }), (jobs ?? _jobs).Ref);

    private QueueReplies.Stats Stats(IActorRef queue)
    {
        var probe = CreateTestProbe();
        queue.Tell(QueueCommands.GetStats.Instance, probe.Ref);
        return probe.ExpectMsg<QueueReplies.Stats>();
    }

    private void AwaitStats(IActorRef queue, int waiting, int dispatching, long accepted) =>
        AwaitAssert(() => Assert.Equal(new QueueReplies.Stats(waiting, dispatching, accepted), Stats(queue)), TimeSpan.FromSeconds(5));

    private static string[] Ids(ServerPoolCommands.Place place) => place.Requests.Select(r => r.JobId).ToArray();

    [Fact]
    public void Submit_is_answered_once_persisted_creates_the_job_then_places_and_starts_it()
    {
        var queue = StartQueue();
        var request = Request();

        queue.Tell(new QueueCommands.Submit("job-1", request, null), _client.Ref);
        var accepted = _client.ExpectMsg<QueueReplies.Accepted>();
        Assert.False(accepted.Existing);
        Assert.Equal("job-1", accepted.Job.Id);
        Assert.Equal(JobStatus.Queued, accepted.Job.Status);
        Assert.Same(request, accepted.Job.Request);
        var create = _jobs.ExpectMsg<BuildJobCommands.Create>();
        Assert.Same(request, create.Request);
        Assert.Equal(accepted.Job.CreatedAt, create.At);
        _pool.ExpectNoMsg(Quiet); // not placed before the job actor confirmed: a Start could reach no actor
        queue.Tell(new BuildJobReplies.Created(new JobRecord { Id = "job-1", Request = request, CreatedAt = create.At }), _jobs.Ref);

        var place = _pool.ExpectMsg<ServerPoolCommands.Place>();
        Assert.Equivalent(new PlacementRequest("job-1", "x86_64", null, null, null, Array.Empty<string>(), null, "https://git.example.org/linux.git"), Assert.Single(place.Requests));
        var placement = QueueStateTests.PlacementFor("job-1");
        _pool.Reply(new ServerPoolReplies.Placed([placement]));

        var start = _jobs.ExpectMsg<BuildJobCommands.Start>();
        Assert.Equal("job-1", start.JobId);
        Assert.Equal(placement, start.Placement);
        Assert.Equal(1, start.Attempt);
        AwaitStats(queue, waiting: 0, dispatching: 1, accepted: 1);

        queue.Tell(new BuildJobReplies.Started("job-1", 1), _jobs.Ref);
        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
        _jobs.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_full_queue_refuses_new_submissions()
    {
        var queue = StartQueue(NoRedelivery(maxQueueSize: 1));
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>(); // never answered: job-1 keeps waiting

        queue.Tell(new QueueCommands.Submit("job-2", Request(), null), _client.Ref);

        var full = _client.ExpectMsg<QueueReplies.QueueFull>();
        Assert.Equal(1, full.MaxQueueSize);
        Assert.True(full.RetryAfterSeconds > 0);
        _jobs.ExpectNoMsg(Quiet);
        Assert.Equal(new QueueReplies.Stats(1, 0, 1), Stats(queue));
    }

    [Fact]
    public void Dispatched_jobs_free_room_in_a_full_queue()
    {
        var queue = StartQueue(NoRedelivery(maxQueueSize: 1));
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        _jobs.ExpectMsg<BuildJobCommands.Start>();

        Submit(queue, "job-2");
        _client.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void The_same_idempotency_key_returns_the_existing_job_without_a_second_create()
    {
        var queue = StartQueue();
        Submit(queue, "job-1", key: "client-key-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();

        queue.Tell(new QueueCommands.Submit("job-2", Request(), "client-key-1"), _client.Ref);

        var accepted = _client.ExpectMsg<QueueReplies.Accepted>();
        Assert.True(accepted.Existing);
        Assert.Equal("job-1", accepted.Job.Id);
        _jobs.ExpectNoMsg(Quiet);
        Assert.Equal(new QueueReplies.Stats(1, 0, 1), Stats(queue));

        // A different key is a different job.
        Submit(queue, "job-3", key: "client-key-2");
    }

    [Fact]
    public void The_idempotency_key_wins_even_over_a_full_queue()
    {
        var queue = StartQueue(NoRedelivery(maxQueueSize: 1));
        Submit(queue, "job-1", key: "k");

        queue.Tell(new QueueCommands.Submit("job-2", Request(), "k"), _client.Ref);

        Assert.True(_client.ExpectMsg<QueueReplies.Accepted>().Existing);
    }

    [Fact]
    public void Recall_gives_a_job_actor_its_submission_until_the_actor_confirmed_it()
    {
        var queue = StartQueue();
        var request = Request("arm64");
        var create = Submit(queue, "job-1", request, confirm: false);

        queue.Tell(new QueueCommands.Recall("job-1"), _jobs.Ref);
        var recalled = _jobs.ExpectMsg<QueueReplies.Recalled>();
        Assert.Equal(("job-1", create.At), (recalled.JobId, recalled.At));
        Assert.Same(request, recalled.Request);

        queue.Tell(new QueueCommands.Recall("never-submitted"), _jobs.Ref);
        Assert.Null(_jobs.ExpectMsg<QueueReplies.Recalled>().Request);

        Confirm(queue, create);
        queue.Tell(new QueueCommands.Recall("job-1"), _jobs.Ref);
        Assert.Null(_jobs.ExpectMsg<QueueReplies.Recalled>().Request); // created: nothing to recall
    }

    [Fact]
    public void Two_quick_submissions_with_one_key_create_one_job()
    {
        var queue = StartQueue();
        queue.Tell(new QueueCommands.Submit("job-1", Request(), "same-key"), _client.Ref);
        queue.Tell(new QueueCommands.Submit("job-2", Request(), "same-key"), _client.Ref);

        Assert.Equal("job-1", _jobs.ExpectMsg<BuildJobCommands.Create>().JobId);
        Assert.False(_client.ExpectMsg<QueueReplies.Accepted>().Existing);
        var existing = _client.ExpectMsg<QueueReplies.Accepted>();
        Assert.True(existing.Existing);
        Assert.Equal("job-1", existing.Job.Id);
        _jobs.ExpectNoMsg(Quiet);
        Assert.Equal(new QueueReplies.Stats(1, 0, 1), Stats(queue));
    }

    [Fact]
    public void Withdrawing_a_waiting_job_removes_it_from_the_next_placement_round()
    {
        var queue = StartQueue();
        Submit(queue, "a");
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        Submit(queue, "b");
        Submit(queue, "c");

        queue.Tell(new QueueCommands.Withdraw("b"));
        queue.Tell(new QueueCommands.Withdraw("unknown"));
        AwaitStats(queue, waiting: 2, dispatching: 0, accepted: 3);
        _pool.Reply(new ServerPoolReplies.Placed([]));

        Assert.Equal(["a", "c"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
    }

    [Fact]
    public void Jobs_submitted_while_placing_are_offered_next_in_priority_order()
    {
        var queue = StartQueue();
        Submit(queue, "low-1", Request(priority: 0));
        Assert.Equal(["low-1"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        var firstAsk = _pool.LastSender;

        Submit(queue, "low-2", Request(priority: 0));
        Submit(queue, "high", Request(priority: 9));
        _pool.ExpectNoMsg(Quiet); // one placement at a time

        firstAsk.Tell(new ServerPoolReplies.Placed([]));

        Assert.Equal(["high", "low-1", "low-2"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
    }

    [Fact]
    public void A_placement_for_a_job_withdrawn_meanwhile_is_released()
    {
        var queue = StartQueue();
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        var ask = _pool.LastSender;

        queue.Tell(new QueueCommands.Withdraw("job-1"));
        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
        ask.Tell(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));

        var release = _pool.ExpectMsg<ServerPoolCommands.Release>();
        Assert.Equal("job-1", release.JobId);
        _jobs.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_failed_placement_is_retried()
    {
        var queue = StartQueue();
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();

        _pool.Reply(new Status.Failure(new InvalidOperationException("pool unavailable")));

        var retry = _pool.ExpectMsg<ServerPoolCommands.Place>(TimeSpan.FromSeconds(5));
        Assert.Equal(["job-1"], Ids(retry));
    }

    [Fact]
    public void Capacity_changes_trigger_a_new_placement_round()
    {
        var queue = StartQueue();
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        _pool.Reply(new ServerPoolReplies.Placed([])); // nothing free
        _pool.ExpectNoMsg(Quiet);

        queue.Tell(QueueCommands.CapacityChanged.Instance);

        Assert.Equal(["job-1"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
    }

    [Fact]
    public void After_a_restart_waiting_jobs_are_re_created_and_unacknowledged_starts_re_sent()
    {
        var settings = NoRedelivery();
        var queue = StartQueue(settings);

        // a: dispatched and acknowledged; b: dispatched, not acknowledged; c: waiting.
        Submit(queue, "a");
        Assert.Equal(["a"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        var firstAsk = _pool.LastSender;
        Submit(queue, "b");
        Submit(queue, "c");
        firstAsk.Tell(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("a")]));
        Assert.Equal("a", _jobs.ExpectMsg<BuildJobCommands.Start>().JobId);

        Assert.Equal(["b", "c"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        var placementB = QueueStateTests.PlacementFor("b");
        _pool.Reply(new ServerPoolReplies.Placed([placementB]));
        Assert.Equal("b", _jobs.ExpectMsg<BuildJobCommands.Start>().JobId);

        queue.Tell(new BuildJobReplies.Started("a", 1), _jobs.Ref);
        AwaitStats(queue, waiting: 1, dispatching: 1, accepted: 3);

        Watch(queue);
        queue.Tell(PoisonPill.Instance);
        ExpectTerminated(queue);

        var jobs2 = CreateTestProbe("jobs2");
        var pool2 = CreateTestProbe("pool2");
        var restarted = StartQueue(settings, jobs2, pool2);

        var start = jobs2.ExpectMsg<BuildJobCommands.Start>();
        Assert.Equal("b", start.JobId);
        Assert.Equal(placementB, start.Placement);
        Assert.Equal(1, start.Attempt);
        var create = jobs2.ExpectMsg<BuildJobCommands.Create>();
        Assert.Equal("c", create.JobId);
        Assert.Equal("x86_64", create.Request.TargetArchitecture);
        jobs2.ExpectNoMsg(Quiet); // nothing for a, no Create for b
        pool2.ExpectNoMsg(TimeSpan.Zero); // c waits for its actor to confirm (the first incarnation's confirmation is gone)

        Confirm(restarted, create, jobs2);
        Assert.Equal(["c"], Ids(pool2.ExpectMsg<ServerPoolCommands.Place>()));
        Assert.Equal(new QueueReplies.Stats(1, 1, 3), Stats(restarted));

        // The recovered sequence continues: a new job still queues behind c at equal priority.
        restarted.Tell(new QueueCommands.Submit("d", Request(), null), _client.Ref);
        var createD = jobs2.ExpectMsg<BuildJobCommands.Create>();
        Assert.Equal("d", createD.JobId);
        Confirm(restarted, createD, jobs2);
        pool2.Reply(new ServerPoolReplies.Placed([]));
        Assert.Equal(["c", "d"], Ids(pool2.ExpectMsg<ServerPoolCommands.Place>()));
    }

    [Fact]
    public void Idempotency_keys_survive_a_restart()
    {
        var queue = StartQueue();
        Submit(queue, "job-1", key: "k1");
        Watch(queue);
        queue.Tell(PoisonPill.Instance);
        ExpectTerminated(queue);

        var jobs2 = CreateTestProbe();
        var restarted = StartQueue(jobs: jobs2, pool: CreateTestProbe());
        Assert.Equal("job-1", jobs2.ExpectMsg<BuildJobCommands.Create>().JobId);

        restarted.Tell(new QueueCommands.Submit("job-2", Request(), "k1"), _client.Ref);
        var accepted = _client.ExpectMsg<QueueReplies.Accepted>();
        Assert.True(accepted.Existing);
        Assert.Equal("job-1", accepted.Job.Id);
        jobs2.ExpectNoMsg(Quiet);
    }

    // ---- retries (Requeue) ----

    /// <summary>Submits, places on srv-1 and hands over <paramref name="jobId"/>: the job actor owns it now.</summary>
    private void RunFirstAttempt(IActorRef queue, string jobId)
    {
        Submit(queue, jobId);
        Assert.Equal([jobId], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor(jobId)]));
        var start = _jobs.ExpectMsg<BuildJobCommands.Start>();
        Assert.Equal(1, start.Attempt);
        queue.Tell(new BuildJobReplies.Started(jobId, 1), _jobs.Ref);
        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
    }

    private static QueueCommands.Requeue Requeue(string jobId, int attempt, DateTimeOffset? notBefore = null, params string[] avoid) =>
        new(jobId, Request(), attempt, avoid.Length == 0 ? ["srv-1"] : avoid, notBefore ?? DateTimeOffset.UtcNow);

    [Fact]
    public void A_requeued_job_is_offered_again_avoiding_its_failed_servers_and_started_with_the_new_attempt()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");

        queue.Tell(Requeue("job-1", 2, avoid: ["srv-1", "srv-9"]), _jobs.Ref);

        var place = _pool.ExpectMsg<ServerPoolCommands.Place>();
        Assert.Equivalent(new PlacementRequest("job-1", "x86_64", null, null, null, ["srv-1", "srv-9"], null, "https://git.example.org/linux.git"), Assert.Single(place.Requests));
        var placement = QueueStateTests.PlacementFor("job-1") with { Server = QueueStateTests.PlacementFor("job-1").Server with { Id = "srv-2" } };
        _pool.Reply(new ServerPoolReplies.Placed([placement]));

        var start = _jobs.ExpectMsg<BuildJobCommands.Start>();
        Assert.Equal("job-1", start.JobId);
        Assert.Equal(2, start.Attempt);
        Assert.Equal("srv-2", start.Placement.Server.Id);
        _jobs.ExpectNoMsg(Quiet); // a retry is not created again
        AwaitStats(queue, waiting: 0, dispatching: 1, accepted: 1); // and not counted as a new submission

        queue.Tell(new BuildJobReplies.Started("job-1", 2), _jobs.Ref);
        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
    }

    [Fact]
    public void A_retry_is_not_offered_before_its_not_before_time()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");
        Submit(queue, "job-2");
        Assert.Equal(["job-2"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        _pool.Reply(new ServerPoolReplies.Placed([])); // nothing free

        queue.Tell(Requeue("job-1", 2, DateTimeOffset.UtcNow.AddSeconds(1.5)), _jobs.Ref);

        // Offered at once without the retry (it backs off), then again on its own once it is due.
        Assert.Equal(["job-2"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        _pool.Reply(new ServerPoolReplies.Placed([]));
        _pool.ExpectNoMsg(TimeSpan.FromMilliseconds(800));
        AwaitStats(queue, waiting: 2, dispatching: 0, accepted: 2);

        var due = _pool.ExpectMsg<ServerPoolCommands.Place>(TimeSpan.FromSeconds(5));
        Assert.Equal(["job-2", "job-1"], Ids(due));
        Assert.Equal(["srv-1"], due.Requests.Single(r => r.JobId == "job-1").AvoidServers);
    }

    [Fact]
    public void Requeue_is_idempotent_per_attempt_while_the_retry_waits()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");
        var later = DateTimeOffset.UtcNow.AddMinutes(10); // keeps it waiting

        queue.Tell(Requeue("job-1", 2, later), _jobs.Ref);
        queue.Tell(Requeue("job-1", 2, later), _jobs.Ref); // duplicate (e.g. re-sent after the job actor's recovery)
        queue.Tell(Requeue("job-1", 1, later), _jobs.Ref); // stale

        AwaitStats(queue, waiting: 1, dispatching: 0, accepted: 1);
        _pool.ExpectNoMsg(Quiet);
        _jobs.ExpectNoMsg(Quiet);

        // A later attempt does replace the waiting one.
        queue.Tell(Requeue("job-1", 3, DateTimeOffset.UtcNow, "srv-1", "srv-2"), _jobs.Ref);
        var place = _pool.ExpectMsg<ServerPoolCommands.Place>();
        Assert.Equal(["srv-1", "srv-2"], Assert.Single(place.Requests).AvoidServers);
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        Assert.Equal(3, _jobs.ExpectMsg<BuildJobCommands.Start>().Attempt);
        AwaitStats(queue, waiting: 0, dispatching: 1, accepted: 1);
    }

    [Fact]
    public void Requeue_of_an_attempt_already_dispatched_is_ignored()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");
        queue.Tell(Requeue("job-1", 2), _jobs.Ref);
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        Assert.Equal(2, _jobs.ExpectMsg<BuildJobCommands.Start>().Attempt);
        AwaitStats(queue, waiting: 0, dispatching: 1, accepted: 1);

        // Attempt 2 is placed but not yet acknowledged: a repeated Requeue for it (or an older one) changes nothing.
        queue.Tell(Requeue("job-1", 2), _jobs.Ref);
        queue.Tell(Requeue("job-1", 1), _jobs.Ref);
        _pool.ExpectNoMsg(Quiet);
        _jobs.ExpectNoMsg(Quiet);
        AwaitStats(queue, waiting: 0, dispatching: 1, accepted: 1);

        // Attempt 2 failed before its Started reached the queue: attempt 3 replaces the dispatched entry.
        queue.Tell(Requeue("job-1", 3), _jobs.Ref);
        Assert.Equal(["job-1"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        AwaitStats(queue, waiting: 1, dispatching: 0, accepted: 1);
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        Assert.Equal(3, _jobs.ExpectMsg<BuildJobCommands.Start>().Attempt);
    }

    [Fact]
    public void A_waiting_retry_can_be_withdrawn()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");
        queue.Tell(Requeue("job-1", 2, DateTimeOffset.UtcNow.AddMinutes(10)), _jobs.Ref);
        AwaitStats(queue, waiting: 1, dispatching: 0, accepted: 1);

        queue.Tell(new QueueCommands.Withdraw("job-1"));

        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
        _pool.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void After_a_restart_a_waiting_retry_is_offered_again_but_not_re_created()
    {
        var settings = NoRedelivery();
        var queue = StartQueue(settings);
        RunFirstAttempt(queue, "job-1");
        queue.Tell(Requeue("job-1", 2, DateTimeOffset.UtcNow, "srv-1"), _jobs.Ref);
        _pool.ExpectMsg<ServerPoolCommands.Place>(); // never answered
        AwaitStats(queue, waiting: 1, dispatching: 0, accepted: 1);

        Watch(queue);
        queue.Tell(PoisonPill.Instance);
        ExpectTerminated(queue);

        var jobs2 = CreateTestProbe("jobs2");
        var pool2 = CreateTestProbe("pool2");
        var restarted = StartQueue(settings, jobs2, pool2);

        var place = pool2.ExpectMsg<ServerPoolCommands.Place>();
        Assert.Equivalent(new PlacementRequest("job-1", "x86_64", null, null, null, ["srv-1"], null, "https://git.example.org/linux.git"), Assert.Single(place.Requests));
        jobs2.ExpectNoMsg(Quiet); // no Create for a job whose actor already exists
        pool2.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        Assert.Equal(2, jobs2.ExpectMsg<BuildJobCommands.Start>().Attempt);
        Assert.Equal(new QueueReplies.Stats(0, 1, 1), Stats(restarted));
    }

    [Fact]
    public void After_a_restart_an_unacknowledged_retry_start_is_re_sent_with_its_attempt()
    {
        var settings = NoRedelivery();
        var queue = StartQueue(settings);
        RunFirstAttempt(queue, "job-1");
        queue.Tell(Requeue("job-1", 2), _jobs.Ref);
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        _pool.Reply(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("job-1")]));
        Assert.Equal(2, _jobs.ExpectMsg<BuildJobCommands.Start>().Attempt);

        Watch(queue);
        queue.Tell(PoisonPill.Instance);
        ExpectTerminated(queue);

        var jobs2 = CreateTestProbe("jobs2");
        StartQueue(settings, jobs2, CreateTestProbe("pool2"));
        var start = jobs2.ExpectMsg<BuildJobCommands.Start>();
        Assert.Equal("job-1", start.JobId);
        Assert.Equal(2, start.Attempt);
        jobs2.ExpectNoMsg(Quiet);
    }

    // ---- redelivery ----

    private static FarmSettings FastRedelivery => new() { RedeliveryInterval = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public void An_unconfirmed_create_is_re_sent_and_the_job_is_placed_only_once_confirmed()
    {
        var queue = StartQueue(FastRedelivery);
        var create = Submit(queue, "job-1", confirm: false);

        // The first Create went to a node that died: it comes again, and again, with the same content.
        var again = _jobs.ExpectMsg<BuildJobCommands.Create>(TimeSpan.FromSeconds(3));
        Assert.Equal(create, again);
        Assert.Equal(create, _jobs.ExpectMsg<BuildJobCommands.Create>(TimeSpan.FromSeconds(3)));
        _pool.ExpectNoMsg(TimeSpan.Zero);

        Confirm(queue, again);
        Assert.Equal(["job-1"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        _jobs.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // confirmed: no more Creates
    }

    [Fact]
    public void An_unacknowledged_start_is_re_sent_until_the_job_confirms_it()
    {
        var queue = StartQueue(FastRedelivery);
        Submit(queue, "job-1");
        _pool.ExpectMsg<ServerPoolCommands.Place>();
        var placement = QueueStateTests.PlacementFor("job-1");
        _pool.Reply(new ServerPoolReplies.Placed([placement]));
        var start = _jobs.ExpectMsg<BuildJobCommands.Start>();

        var again = _jobs.ExpectMsg<BuildJobCommands.Start>(TimeSpan.FromSeconds(3));
        Assert.Equal(start, again);

        queue.Tell(new BuildJobReplies.Started("job-1", 1), _jobs.Ref);
        AwaitStats(queue, waiting: 0, dispatching: 0, accepted: 1);
        _jobs.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public void Requeue_is_acknowledged_the_first_time_and_every_time_it_is_re_sent()
    {
        var queue = StartQueue();
        RunFirstAttempt(queue, "job-1");
        var job = CreateTestProbe("job-1");

        queue.Tell(Requeue("job-1", 2, DateTimeOffset.UtcNow.AddMinutes(10)), job.Ref);
        Assert.Equal(new QueueReplies.Requeued("job-1", 2), job.ExpectMsg<QueueReplies.Requeued>());
        queue.Tell(Requeue("job-1", 2, DateTimeOffset.UtcNow.AddMinutes(10)), job.Ref);
        Assert.Equal(new QueueReplies.Requeued("job-1", 2), job.ExpectMsg<QueueReplies.Requeued>());
        AwaitStats(queue, waiting: 1, dispatching: 0, accepted: 1);
    }

    // ---- PauseDispatch ----

    [Fact]
    public void Pause_dispatch_replies_and_then_places_nothing()
    {
        var queue = StartQueue();
        var probe = CreateTestProbe();
        queue.Tell(QueueCommands.PauseDispatch.Instance, probe.Ref);
        probe.ExpectMsg<QueueReplies.Paused>();

        // Submissions are still recorded and their jobs created, but nobody asks the pool.
        Submit(queue, "job-1", confirm: false);
        queue.Tell(new BuildJobReplies.Created(new JobRecord { Id = "job-1", Request = Request() }), _jobs.Ref);
        queue.Tell(QueueCommands.CapacityChanged.Instance);
        queue.Tell(Requeue("job-0", 2), _jobs.Ref);

        _pool.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        AwaitStats(queue, waiting: 2, dispatching: 0, accepted: 1);
    }

    [Fact]
    public void Pause_dispatch_is_idempotent()
    {
        var queue = StartQueue();
        var probe = CreateTestProbe();
        queue.Tell(QueueCommands.PauseDispatch.Instance, probe.Ref);
        queue.Tell(QueueCommands.PauseDispatch.Instance, probe.Ref);
        probe.ExpectMsg<QueueReplies.Paused>();
        probe.ExpectMsg<QueueReplies.Paused>();
    }

    [Fact]
    public void A_placement_in_flight_when_paused_is_still_handed_over_but_nothing_more_is_placed()
    {
        var queue = StartQueue();
        Submit(queue, "a");
        Assert.Equal(["a"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        var ask = _pool.LastSender;
        Submit(queue, "b"); // would be offered next

        var probe = CreateTestProbe();
        queue.Tell(QueueCommands.PauseDispatch.Instance, probe.Ref);
        probe.ExpectMsg<QueueReplies.Paused>();

        // The slot for "a" is already reserved: starting it is better than leaking the reservation.
        ask.Tell(new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("a")]));
        Assert.Equal("a", _jobs.ExpectMsg<BuildJobCommands.Start>().JobId);
        _pool.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        AwaitStats(queue, waiting: 1, dispatching: 1, accepted: 2);
    }

    [Fact]
    public void Submissions_still_being_persisted_count_against_the_queue_size()
    {
        var queue = StartQueue(NoRedelivery(maxQueueSize: 2));
        // Back to back: the later ones arrive while the first are still being persisted.
        queue.Tell(new QueueCommands.Submit("job-1", Request(), null), _client.Ref);
        queue.Tell(new QueueCommands.Submit("job-2", Request(), null), _client.Ref);
        queue.Tell(new QueueCommands.Submit("job-3", Request(), null), _client.Ref);

        Assert.Equal(2, _client.ExpectMsg<QueueReplies.QueueFull>().MaxQueueSize);
        Assert.Equal("job-1", _jobs.ExpectMsg<BuildJobCommands.Create>().JobId);
        Assert.Equal("job-2", _jobs.ExpectMsg<BuildJobCommands.Create>().JobId);
        _jobs.ExpectNoMsg(Quiet);
        Assert.Equal(new QueueReplies.Stats(2, 0, 2), Stats(queue));
    }

    [Fact]
    public void Back_to_back_submissions_are_created_answered_and_offered_in_submission_order()
    {
        var queue = StartQueue();
        string[] ids = ["a", "b", "c", "d"];
        foreach (var id in ids) queue.Tell(new QueueCommands.Submit(id, Request(), null), _client.Ref);

        var creates = ids.Select(_ => _jobs.ExpectMsg<BuildJobCommands.Create>()).ToList();
        Assert.Equal(ids, creates.Select(c => c.JobId));
        foreach (var c in creates) Confirm(queue, c);
        Assert.Equal(ids, ids.Select(_ => _client.ExpectMsg<QueueReplies.Accepted>().Job.Id));

        // The first confirmation started a placement round; the rest are offered in order in the next one.
        Assert.Equal(["a"], Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
        _pool.Reply(new ServerPoolReplies.Placed([]));
        Assert.Equal(ids, Ids(_pool.ExpectMsg<ServerPoolCommands.Place>()));
    }

    [Fact]
    public void More_jobs_than_one_round_offers_are_all_placed_without_another_trigger()
    {
        var queue = StartQueue();
        var ids = Enumerable.Range(0, 80).Select(i => $"job-{i:D2}").ToList();
        foreach (var id in ids) Submit(queue, id);

        // The pool has room for all of them: each round places what it is offered, and the queue
        // asks again at once (a round offers at most 32 of one kind) until nothing is left.
        var placed = new List<string>();
        while (placed.Count < ids.Count)
        {
            var place = _pool.ExpectMsg<ServerPoolCommands.Place>();
            Assert.InRange(place.Requests.Count, 1, 32);
            _pool.Reply(new ServerPoolReplies.Placed(place.Requests.Select(r => QueueStateTests.PlacementFor(r.JobId)).ToList()));
            placed.AddRange(Ids(place));
        }
        Assert.Equal(ids, placed);
        _pool.ExpectNoMsg(Quiet);
        AwaitStats(queue, waiting: 0, dispatching: 80, accepted: 80);
    }
}
