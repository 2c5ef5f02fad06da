using System.Security.Cryptography;
using Akka.Actor;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Jobs;

/// <summary>
/// BuildJobActor's whole main path against scripted build servers (<see cref="ScriptedBuildServers"/>),
/// without sshd: the real log stream, transfer and storage run; only the SSH session is scripted.
/// The same paths over a real sshd: BuildJobTests, CrashRecoveryTests, SshFaultTests, TimeLimitAndDrainTests.
/// </summary>
public sealed class BuildJobActorTests : ActorTest
{
    private static readonly TimeSpan Ends = TimeSpan.FromSeconds(15);
    private readonly TestProbe _queue, _pool;
    private readonly string _storage = Directory.CreateTempSubdirectory("kfarm-job-actor-").FullName;
    private readonly FarmSettings _settings;
    private readonly ScriptedBuildServers _servers = new();

    public BuildJobActorTests()
    {
        _queue = CreateTestProbe("queue");
        _pool = CreateTestProbe("pool");
        _settings = new FarmSettings { ArtifactStoragePath = _storage, MaxAttempts = 2, RetryBackoff = TimeSpan.Zero };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_storage, recursive: true);
    }

    private IActorRef StartJob(string id) => Sys.ActorOf(BuildJobActor.Props(id, _settings, _queue.Ref, _pool.Ref, _servers));

    private static Placement On(string id, string server) => QueueStateTests.PlacementFor(id) is var p ? p with { Server = p.Server with { Id = server } } : null!;

    private IActorRef Submitted(string id)
    {
        var job = StartJob(id);
        job.Tell(new BuildJobCommands.Create(id, QueueStateTests.Request(), DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<BuildJobReplies.Created>();
        return job;
    }

    private void Place(IActorRef job, string id, string server, int attempt)
    {
        job.Tell(new BuildJobCommands.Start(id, On(id, server), attempt), TestActor);
        Assert.Equal(attempt, ExpectMsg<BuildJobReplies.Started>().Attempt);
    }

    /// <summary>The job's end is when it gives its slot back: acknowledged, then its record.</summary>
    private JobRecord Ended(IActorRef job, string id, string server)
    {
        Assert.Equal(new ServerPoolCommands.Release(id, server), _pool.ExpectMsg<ServerPoolCommands.Release>(Ends));
        _pool.Reply(new ServerPoolReplies.Released(id, server));
        job.Tell(new BuildJobCommands.Get(id), TestActor);
        return ExpectMsg<BuildJobReplies.JobView>().Job;
    }

    /// <summary>A job placed on srv-1 whose server does not answer this request kind: the job stays in that step.</summary>
    private IActorRef CaughtAt(string kind, string id)
    {
        _servers.HoldAt = kind;
        var job = Submitted(id);
        Place(job, id, "srv-1", 1);
        AwaitCondition(() => _servers.SeenOn("srv-1").Contains(kind), Ends);
        return job;
    }

    /// <summary>Every file the record lists is in its folder with that size and sha256, and nothing else is.</summary>
    private static void AssertStorageMatchesRecord(JobRecord job)
    {
        var dir = job.ArtifactDirectory!;
        foreach (var a in job.Artifacts)
        {
            var file = Path.Combine(dir, a.Path);
            Assert.Equal((a.Size, a.Sha256), (new FileInfo(file).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))));
        }
        var onDisk = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f))
            .Where(f => f is not ("manifest.json" or "metadata.json" or ArtifactStore.OwnerMarker)).Order().ToList();
        Assert.Equal(job.Artifacts.Select(a => a.Path).Order().ToList(), onDisk);
    }

    [Fact]
    public void A_placed_job_launches_streams_its_log_checks_its_exit_collects_transfers_and_completes()
    {
        var job = Submitted("a1");
        Place(job, "a1", "srv-1", 1);
        var done = Ended(job, "a1", "srv-1");

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "transferring", "completed"],
            done.Transitions.Select(t => t.Status.ToString().ToLowerInvariant()));
        Assert.Equal(["Launch", "follow", "drain", "Status", "manifest", "download", "Cleanup"], _servers.SeenOn("srv-1"));
        Assert.Equal(["bzImage", "build.log", "reproducer.sh"], done.Artifacts.Select(a => a.Path));
        AssertStorageMatchesRecord(done);
        Assert.Equal(ScriptedBuildServers.LogUntilBuilding + ScriptedBuildServers.LogAfterBuilding, File.ReadAllText(Path.Combine(done.ArtifactDirectory!, "build.log")));
    }

    [Fact]
    public void A_failed_build_publishes_its_log_and_its_record_lists_exactly_what_storage_holds()
    {
        _servers.ExitCode = 2;
        var job = Submitted("f1");
        Place(job, "f1", "srv-1", 1);
        var failed = Ended(job, "f1", "srv-1");

        Assert.Equal((JobStatus.Failed, FailureKind.Build, 2), (failed.Status, failed.Failure!.Kind, failed.Failure.ExitCode));
        Assert.Equal(["build.log", "reproducer.sh"], failed.Artifacts.Select(a => a.Path));
        AssertStorageMatchesRecord(failed);
        Assert.DoesNotContain("manifest", _servers.SeenOn("srv-1")); // a failed build's artifacts are not collected
    }

    [Fact]
    public void An_unreachable_server_fails_the_attempt_and_the_retry_elsewhere_completes()
    {
        _servers.Unreachable["srv-1"] = true;
        var job = Submitted("r1");
        Place(job, "r1", "srv-1", 1);

        var requeue = _queue.ExpectMsg<QueueCommands.Requeue>(Ends);
        Assert.Equal(2, requeue.Attempt);
        Assert.Equal(["srv-1"], requeue.AvoidServers);
        Assert.Equal(new ServerPoolCommands.Release("r1", "srv-1"), _pool.ExpectMsg<ServerPoolCommands.Release>(Ends));
        _pool.Reply(new ServerPoolReplies.Released("r1", "srv-1"));
        _queue.Reply(new QueueReplies.Requeued("r1", 2));

        Place(job, "r1", "srv-2", 2);
        var done = Ended(job, "r1", "srv-2");
        Assert.Equal((JobStatus.Completed, "srv-2"), (done.Status, done.ServerId));
        Assert.Equal([(1, "srv-1", FailureKind.Infrastructure), (2, "srv-2", (FailureKind?)null)],
            done.Attempts.Select(a => (a.Attempt, a.ServerId, a.Failure?.Kind)));
        Assert.Equal(["Launch", "Abandon"], _servers.SeenOn("srv-1")); // the abandoned workspace is cleared (tried) over a session of its own
        AssertStorageMatchesRecord(done);
    }

    [Theory]
    [InlineData("Launch")]
    [InlineData("follow")]
    [InlineData("Status")]
    public void A_cancel_at_any_step_on_the_server_kills_the_build_cleans_up_and_ends_cancelled(string step)
    {
        var job = CaughtAt(step, "c-" + step);

        job.Tell(new BuildJobCommands.Cancel("c-" + step), TestActor);
        Assert.True(ExpectMsg<BuildJobReplies.JobView>().Job.Status is not JobStatus.Cancelled); // requested; the kill is on its way
        var cancelled = Ended(job, "c-" + step, "srv-1");

        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(["Kill", "Cleanup"], _servers.SeenOn("srv-1").SkipWhile(s => s != "Kill"));
        Assert.False(Directory.Exists(Path.Combine(_storage, "c-" + step)), "nothing is published for a cancelled build");
    }

    [Fact]
    public void A_cancel_of_a_queued_job_ends_it_without_touching_a_server()
    {
        var job = Submitted("q1");
        job.Tell(new BuildJobCommands.Cancel("q1"), TestActor);
        Assert.Equal(JobStatus.Cancelled, ExpectMsg<BuildJobReplies.JobView>().Job.Status);
        Assert.Equal("q1", _queue.ExpectMsg<QueueCommands.Withdraw>().JobId);
        Assert.Empty(_servers.Seen);
    }

    [Fact]
    public void A_cancel_during_the_transfer_lets_it_finish_and_the_job_ends_with_what_was_published()
    {
        var job = CaughtAt("download", "t1");

        job.Tell(new BuildJobCommands.Cancel("t1"), TestActor);
        Assert.Equal(JobStatus.Transferring, ExpectMsg<BuildJobReplies.JobView>().Job.Status);
        _servers.Release();
        var done = Ended(job, "t1", "srv-1");

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.DoesNotContain("Kill", _servers.SeenOn("srv-1"));
        AssertStorageMatchesRecord(done);
    }

    /// <summary>
    /// The node dies after a limit's failure was decided and its kill sent, before the log is published: the
    /// next incarnation finishes that failure (kills again, publishes the log, Failed with that kind) and never
    /// reads the killed build's exit status, which would say an ordinary build failure.
    /// </summary>
    [Theory]
    [InlineData(FailureKind.Timeout)]
    [InlineData(FailureKind.Limit)]
    public void A_job_restarted_while_a_limit_stops_its_build_ends_failed_with_that_limit_and_its_log_published(FailureKind kind)
    {
        var id = "s-" + kind.ToString().ToLowerInvariant();
        if (kind == FailureKind.Timeout) _settings.DefaultJobTimeout = TimeSpan.FromSeconds(1);
        else _settings.Limits.MaxLogBytes = 40; // the first part of the log breaks it
        _servers.ExitCode = 143; // the killed build's status
        _servers.HoldAt = "follow,Kill"; // the build runs on; the kill is sent but not answered
        var job = Submitted(id);
        Place(job, id, "srv-1", 1);
        AwaitCondition(() => _servers.SeenOn("srv-1").Contains("Kill"), Ends); // sent once the decided failure was stored

        Watch(job);
        Sys.Stop(job); // the node died
        ExpectTerminated(job);
        var before = _servers.SeenOn("srv-1").Count;
        _servers.HoldAt = null;

        var failed = Ended(StartJob(id), id, "srv-1");
        Assert.Equal((JobStatus.Failed, kind, (int?)null), (failed.Status, failed.Failure!.Kind, failed.Failure.ExitCode));
        Assert.Equal(["Kill", "Cleanup"], _servers.SeenOn("srv-1").Skip(before)); // no status check, no new launch
        Assert.Equal(["build.log", "reproducer.sh"], failed.Artifacts.Select(a => a.Path));
        AssertStorageMatchesRecord(failed);
        Assert.StartsWith("==> kfarm: step configuring", File.ReadAllText(Path.Combine(failed.ArtifactDirectory!, "build.log")));
    }

    [Fact]
    public void A_job_recreated_from_its_journal_re_attaches_to_the_running_build_without_launching_it_again()
    {
        var job = CaughtAt("follow", "x1");
        AwaitAssert(() =>
        {
            job.Tell(new BuildJobCommands.Get("x1"), TestActor);
            Assert.Equal(JobStatus.Building, ExpectMsg<BuildJobReplies.JobView>().Job.Status);
        }, Ends);

        Watch(job);
        Sys.Stop(job); // the node died; the build runs on
        ExpectTerminated(job);
        _servers.HoldAt = null;

        var again = StartJob("x1");
        var done = Ended(again, "x1", "srv-1");
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Single(_servers.SeenOn("srv-1"), s => s == "Launch");
        Assert.Equal(ScriptedBuildServers.LogUntilBuilding + ScriptedBuildServers.LogAfterBuilding, File.ReadAllText(Path.Combine(done.ArtifactDirectory!, "build.log")));
        AssertStorageMatchesRecord(done);
    }
}
