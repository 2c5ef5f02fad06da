using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

/// <summary>
/// BuildJobActor's messages to the queue and the pool singletons are re-sent until acknowledged:
/// one sent through a proxy to a node that died before it was downed is simply lost. These paths
/// need no SSH (a cancelled job that is placed anyway; a retry recovered from the journal).
/// </summary>
public sealed class BuildJobActorRedeliveryTests : ActorTest
{
    private static readonly TimeSpan Resent = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(600);

    private readonly TestProbe _queue, _pool;
    private readonly string _storage = Directory.CreateTempSubdirectory("kfarm-job-test-").FullName;
    private readonly FarmSettings _settings;

    public BuildJobActorRedeliveryTests()
    {
        _queue = CreateTestProbe("queue");
        _pool = CreateTestProbe("pool");
        _settings = new FarmSettings { ArtifactStoragePath = _storage, RedeliveryInterval = TimeSpan.FromMilliseconds(200) };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_storage, recursive: true);
    }

    private static Placement LoopbackPlacement(string jobId)
    {
        var p = QueueStateTests.PlacementFor(jobId);
        return p with { Server = p.Server with { IpAddress = "127.0.0.1" } };
    }

    private IActorRef StartJob(string jobId) =>
        Sys.ActorOf(BuildJobActor.Props(jobId, _settings, _queue.Ref, _pool.Ref));

    /// <summary>Writes events under the job's persistence id, as an earlier incarnation would have.</summary>
    private sealed class Seeder : ReceivePersistentActor
    {
        public Seeder(string persistenceId, IReadOnlyList<object> events)
        {
            PersistenceId = persistenceId;
            Command<string>(_ =>
            {
                var sender = Sender;
                PersistAll(events, _ => { });
                DeferAsync("done", d => sender.Tell(d));
            });
        }

        public override string PersistenceId { get; }
    }

    private void Seed(string jobId, params object[] events)
    {
        var seeder = Sys.ActorOf(Props.Create(() => new Seeder("job-" + jobId, events)));
        seeder.Tell("go", TestActor);
        ExpectMsg("done");
        Watch(seeder);
        Sys.Stop(seeder);
        ExpectTerminated(seeder);
    }

    [Fact]
    public void A_release_is_re_sent_until_the_pool_acknowledges_it()
    {
        var job = StartJob("job-1");
        job.Tell(new BuildJobCommands.Create("job-1", QueueStateTests.Request("x86_64", 0), DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<BuildJobReplies.Created>();
        job.Tell(new BuildJobCommands.Cancel("job-1"), TestActor);
        Assert.Equal(JobStatus.Cancelled, ExpectMsg<BuildJobReplies.JobView>().Job.Status);
        Assert.Equal("job-1", _queue.ExpectMsg<QueueCommands.Withdraw>().JobId);

        // The withdrawal did not reach the queue in time: it placed the job anyway.
        job.Tell(new BuildJobCommands.Start("job-1", LoopbackPlacement("job-1"), 1), TestActor);
        Assert.Equal(new BuildJobReplies.Started("job-1", 1), ExpectMsg<BuildJobReplies.Started>());

        var release = new ServerPoolCommands.Release("job-1", "srv-1");
        Assert.Equal(release, _pool.ExpectMsg<ServerPoolCommands.Release>());
        Assert.Equal(release, _pool.ExpectMsg<ServerPoolCommands.Release>(Resent)); // the first one was lost
        _pool.Reply(new ServerPoolReplies.Released("job-1", "srv-1"));
        DrainThenQuiet(_pool);
    }

    [Fact]
    public void A_recovered_retry_asks_the_queue_again_until_acknowledged_and_releases_the_failed_server()
    {
        var placement = LoopbackPlacement("job-2");
        var at = DateTimeOffset.UtcNow;
        Seed("job-2",
            new Created("job-2", QueueStateTests.Request("x86_64", 0), at),
            new Assigned(placement, "/tmp/ws/job-2", 1, at),
            new AttemptFailed(1, "srv-1", new JobFailure(FailureKind.Infrastructure, "preparing", null, "server unreachable"), at, at));

        StartJob("job-2");

        var requeue = _queue.ExpectMsg<QueueCommands.Requeue>();
        Assert.Equal(("job-2", 2), (requeue.JobId, requeue.Attempt));
        Assert.Equal(["srv-1"], requeue.AvoidServers);
        Assert.Equal(new ServerPoolCommands.Release("job-2", "srv-1"), _pool.ExpectMsg<ServerPoolCommands.Release>());

        // Neither was acknowledged: both come again.
        Assert.Equal(2, _queue.ExpectMsg<QueueCommands.Requeue>(Resent).Attempt);
        Assert.Equal(new ServerPoolCommands.Release("job-2", "srv-1"), _pool.ExpectMsg<ServerPoolCommands.Release>(Resent));

        _queue.Reply(new QueueReplies.Requeued("job-2", 2));
        _pool.Reply(new ServerPoolReplies.Released("job-2", "srv-1"));
        DrainThenQuiet(_queue);
        DrainThenQuiet(_pool);
    }

    /// <summary>One re-send may have been on its way when the acknowledgement arrived; after that, silence.</summary>
    private static void DrainThenQuiet(TestProbe probe)
    {
        probe.ReceiveWhile(Quiet, m => m, 1);
        probe.ExpectNoMsg(Quiet);
    }
}
