using Akka.Actor;
using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Tests.Queue;

/// <summary>The queue's decisions without an actor system: events, session and effects for a command.</summary>
public sealed class QueueDeciderTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly QueuePolicy Policy = new(MaxQueueSize: 2, RedeliveryInterval: TimeSpan.FromSeconds(3));
    private static readonly IActorRef Client = ActorRefs.Nobody;

    private static QueueDecision Decide(QueueState state, QueueSession session, object command, DateTimeOffset? at = null) =>
        QueueDecider.Decide(state, session, command, Client, at ?? Now, Policy);

    /// <summary>Stores the decision's events as the actor would: applies each and lets the session follow.</summary>
    private static (QueueState, QueueSession) Store(QueueState state, QueueDecision d)
    {
        var session = d.Session;
        foreach (var e in d.Events)
        {
            state = state.Apply(e);
            session = QueueDecider.Persisted(state, session, e).Session;
        }
        return (state, session);
    }

    private static QueueCommands.Submit Submit(string id, string? key = null) => new(id, QueueStateTests.Request(), key);

    [Fact]
    public void A_submission_is_one_batched_JobQueued_answered_and_created_once_stored()
    {
        var d = Decide(QueueState.Empty, QueueSession.Fresh, Submit("a"));

        var queued = Assert.IsType<JobQueued>(Assert.Single(d.Events));
        Assert.Equal(("a", 1L, Now), (queued.JobId, queued.Sequence, queued.At));
        Assert.True(d.Batched);
        Assert.Equal(1, d.Session.Persisting);
        Assert.Collection(d.Effects,
            e => Assert.False(Assert.IsType<QueueReplies.Accepted>(Assert.IsType<QueueEffect.Reply>(e).Message).Existing),
            e => Assert.Equal("a", Assert.IsType<BuildJobCommands.Create>(Assert.IsType<QueueEffect.ToJobs>(e).Message).JobId));
    }

    [Fact]
    public void A_job_that_ended_before_it_was_placed_leaves_the_queue_instead_of_being_offered()
    {
        var (state, session) = Store(QueueState.Empty, Decide(QueueState.Empty, QueueSession.Fresh, Submit("a")));
        var reused = KernelFarm.Actors.Jobs.JobState.Queued("a", QueueStateTests.Request(), Now)
            .Apply(new KernelFarm.Messages.Jobs.BuildJobEvents.Completed("/storage/a", [], Now, "v1:k", "b")).ToRecord(null);

        var d = Decide(state, session, new BuildJobReplies.Created(reused));
        Assert.Equal(new JobWithdrawn("a"), Assert.Single(d.Events));
        Assert.DoesNotContain(d.Effects, e => e is QueueEffect.AskPlacement);
        var (after, afterSession) = Store(state, d);
        Assert.False(after.IsWaiting("a"));
        Assert.Empty(Decide(after, afterSession, new BuildJobReplies.Created(reused)).Events); // a repeat changes nothing
    }

    [Fact]
    public void Submissions_still_being_stored_count_against_the_queues_size()
    {
        var first = Decide(QueueState.Empty, QueueSession.Fresh, Submit("a"));
        var second = Decide(QueueState.Empty, first.Session, Submit("b"));
        var third = Decide(QueueState.Empty, second.Session, Submit("c"));

        Assert.Equal(2, second.Events.Count == 1 ? ((JobQueued)second.Events[0]).Sequence : 0);
        Assert.Empty(third.Events);
        Assert.IsType<QueueReplies.QueueFull>(Assert.IsType<QueueEffect.Reply>(Assert.Single(third.Effects)).Message);
    }

    [Fact]
    public void A_second_submission_with_a_key_being_stored_waits_and_is_answered_with_the_first_job()
    {
        var first = Decide(QueueState.Empty, QueueSession.Fresh, Submit("a", key: "k"));
        var second = Decide(QueueState.Empty, first.Session, Submit("b", key: "k"));
        Assert.Empty(second.Events);
        Assert.Empty(second.Effects);

        var state = QueueState.Empty.Apply(first.Events[0]);
        var (_, effects) = QueueDecider.Persisted(state, second.Session, first.Events[0]);

        var accepted = Assert.IsType<QueueReplies.Accepted>(Assert.IsType<QueueEffect.Reply>(Assert.Single(effects)).Message);
        Assert.Equal(("a", true), (accepted.Job.Id, accepted.Existing));
    }

    [Fact]
    public void A_job_is_offered_for_placement_only_once_its_actor_confirmed_it()
    {
        var (state, session) = Store(QueueState.Empty, Decide(QueueState.Empty, QueueSession.Fresh, Submit("a")));
        Assert.DoesNotContain(Decide(state, session, QueueCommands.CapacityChanged.Instance).Effects, e => e is QueueEffect.AskPlacement);

        var confirmed = Decide(state, session, new BuildJobReplies.Created(new JobRecord { Id = "a", Request = QueueStateTests.Request() }));

        var ask = Assert.IsType<QueueEffect.AskPlacement>(Assert.Single(confirmed.Effects));
        Assert.Equal(["a"], ask.Place.Requests.Select(r => r.JobId));
        Assert.True(confirmed.Session.Placing);
        Assert.Empty(confirmed.Session.Unconfirmed);
    }

    [Fact]
    public void A_placement_becomes_JobDispatched_and_Start_then_another_round_and_one_for_a_withdrawn_job_is_released()
    {
        var (state, session) = Store(QueueState.Empty, Decide(QueueState.Empty, QueueSession.Fresh, Submit("a")));
        session = session with { Placing = true };

        var d = Decide(state, session, new ServerPoolReplies.Placed([QueueStateTests.PlacementFor("a"), QueueStateTests.PlacementFor("gone")]));

        var dispatched = Assert.IsType<JobDispatched>(Assert.Single(d.Events));
        Assert.Equal(("a", 1), (dispatched.Placement.JobId, dispatched.Attempt));
        Assert.False(d.Session.Placing);
        Assert.Collection(d.Effects,
            e => Assert.Equal("a", Assert.IsType<BuildJobCommands.Start>(Assert.IsType<QueueEffect.ToJobs>(e).Message).JobId),
            e => Assert.Equal("gone", Assert.IsType<ServerPoolCommands.Release>(Assert.IsType<QueueEffect.ToPool>(e).Message).JobId),
            e => Assert.IsType<QueueEffect.DispatchAgain>(e));
    }

    [Fact]
    public void After_recovery_every_waiting_first_attempt_is_created_again_and_dispatched_jobs_started_again()
    {
        var state = QueueState.Empty
            .Apply(new JobQueued("a", QueueStateTests.Request(), null, 1, Now))
            .Apply(new JobQueued("b", QueueStateTests.Request(), null, 2, Now))
            .Apply(new JobDispatched(QueueStateTests.PlacementFor("a"), 1));

        var d = Decide(state, QueueSession.Fresh, QueueSignals.Recovered.Instance);

        Assert.Empty(d.Events);
        var sent = d.Effects.OfType<QueueEffect.ToJobs>().Select(j => j.Message).ToList();
        Assert.Equal("a", Assert.IsType<BuildJobCommands.Start>(sent[0]).JobId);
        Assert.Equal("b", Assert.IsType<BuildJobCommands.Create>(sent[1]).JobId);
        Assert.Contains(d.Effects, e => e is QueueEffect.StartRedelivery { Interval.TotalSeconds: 3 });
        Assert.DoesNotContain(d.Effects, e => e is QueueEffect.AskPlacement); // b waits for its actor's confirmation
        // a second tick within the interval re-sends nothing
        Assert.Empty(Decide(state, d.Session, QueueSignals.RedeliveryTick.Instance, Now.AddSeconds(1)).Effects);
        Assert.Equal(2, Decide(state, d.Session, QueueSignals.RedeliveryTick.Instance, Now.AddSeconds(3)).Effects.Count);
    }

    [Fact]
    public void Requeue_of_an_attempt_already_waiting_is_only_acknowledged()
    {
        var state = QueueState.Empty.Apply(new JobRequeued("a", QueueStateTests.Request(), 2, ["srv-1"], Now, 5));

        var again = Decide(state, QueueSession.Fresh, new QueueCommands.Requeue("a", QueueStateTests.Request(), 2, ["srv-1"], Now));
        var next = Decide(state, QueueSession.Fresh, new QueueCommands.Requeue("a", QueueStateTests.Request(), 3, ["srv-1"], Now));

        Assert.Empty(again.Events);
        Assert.IsType<QueueReplies.Requeued>(Assert.IsType<QueueEffect.Reply>(Assert.Single(again.Effects)).Message);
        Assert.Equal(6, Assert.IsType<JobRequeued>(Assert.Single(next.Events)).Sequence);
    }

    [Fact]
    public void A_paused_queue_places_nothing()
    {
        var state = QueueState.Empty.Apply(new JobRequeued("a", QueueStateTests.Request(), 2, [], Now.AddDays(-1), 1));
        var paused = Decide(state, QueueSession.Fresh, QueueCommands.PauseDispatch.Instance);

        Assert.Contains(Decide(state, QueueSession.Fresh, QueueSignals.DispatchTick.Instance).Effects, e => e is QueueEffect.AskPlacement);
        Assert.Empty(Decide(state, paused.Session, QueueSignals.DispatchTick.Instance).Effects);
    }
}
