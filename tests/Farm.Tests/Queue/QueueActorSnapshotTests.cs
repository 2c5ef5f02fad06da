using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using Xunit;

namespace KernelFarm.Tests.Queue;

/// <summary>QueueActor saves a snapshot every N events, lets go of what it covers, and recovers from it.</summary>
public sealed class QueueActorSnapshotTests : ActorTest
{
    /// <summary>Recovers the queue's persistence id and reports what recovery read.</summary>
    private sealed class RecoverySpy : ReceivePersistentActor
    {
        public sealed record Read(long? SnapshotAt, int Events, QueueState State);

        public RecoverySpy(IActorRef report)
        {
            long? snapshotAt = null;
            var events = 0;
            var state = QueueState.Empty;
            Recover<SnapshotOffer>(o => { snapshotAt = o.Metadata.SequenceNr; state = QueueState.FromSnapshot((QueueSnapshot)o.Snapshot); });
            Recover<IQueueEvent>(e => { events++; state = state.Apply(e); });
            Recover<RecoveryCompleted>(_ => report.Tell(new Read(snapshotAt, events, state)));
        }

        public override string PersistenceId => "build-queue";
    }

    private RecoverySpy.Read ReadJournal()
    {
        var probe = CreateTestProbe();
        var spy = Sys.ActorOf(Props.Create(() => new RecoverySpy(probe.Ref)));
        var read = probe.ExpectMsg<RecoverySpy.Read>();
        Sys.Stop(spy);
        return read;
    }

    [Fact]
    public void A_restarted_queue_recovers_from_its_latest_snapshot_and_the_events_after_it()
    {
        var settings = new FarmSettings { SnapshotEvery = 4, RedeliveryInterval = TimeSpan.FromHours(1) };
        var jobs = CreateTestProbe();
        var pool = CreateTestProbe();
        var client = CreateTestProbe();
        var queue = Sys.ActorOf(QueueActor.Props(settings, jobs.Ref, pool.Ref));
        for (var i = 0; i < 10; i++)
        {
            queue.Tell(new QueueCommands.Submit($"job-{i}", QueueStateTests.Request(priority: i % 3), $"key-{i}"), client.Ref);
            client.ExpectMsg<QueueReplies.Accepted>();
        }
        queue.Tell(new QueueCommands.Withdraw("job-3"), client.Ref);
        queue.Tell(QueueCommands.GetStats.Instance, client.Ref);
        Assert.Equal(new QueueReplies.Stats(9, 0, 10), client.ExpectMsg<QueueReplies.Stats>());

        // 11 events, a snapshot at 8: recovery reads it and the 3 events after it (the ones before were deleted).
        AwaitAssert(() =>
        {
            var read = ReadJournal();
            Assert.Equal(8, read.SnapshotAt);
            Assert.Equal(3, read.Events);
        }, TimeSpan.FromSeconds(5));
        Watch(queue);
        Sys.Stop(queue);
        ExpectTerminated(queue);

        var restarted = Sys.ActorOf(QueueActor.Props(settings, jobs.Ref, pool.Ref));
        restarted.Tell(QueueCommands.GetStats.Instance, client.Ref);
        Assert.Equal(new QueueReplies.Stats(9, 0, 10), client.ExpectMsg<QueueReplies.Stats>());
        // a key from before the snapshot still names its job
        restarted.Tell(new QueueCommands.Submit("other", QueueStateTests.Request(), "key-1"), client.Ref);
        var accepted = client.ExpectMsg<QueueReplies.Accepted>();
        Assert.Equal(("job-1", true), (accepted.Job.Id, accepted.Existing));
        // the next submission continues the recovered sequence
        restarted.Tell(new QueueCommands.Submit("job-10", QueueStateTests.Request(priority: 2), null), client.Ref);
        client.ExpectMsg<QueueReplies.Accepted>();
        var full = ReadJournal().State;
        Assert.Equal(11, full.LastSequence);
        Assert.Equal(["job-2", "job-5", "job-8", "job-10"], full.Waiting.Take(4).Select(w => w.JobId));
    }
}
