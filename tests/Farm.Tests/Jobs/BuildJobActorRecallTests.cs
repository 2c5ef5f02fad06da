using Akka.Actor;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Jobs;

/// <summary>
/// The queue answers a submission once it has persisted it, before the job's actor exists: a GET
/// or cancel that reaches the actor before the queue's Create makes the actor ask the queue for
/// its submission (Recall) instead of answering 404 for a job the client was told is accepted.
/// </summary>
public sealed class BuildJobActorRecallTests : ActorTest
{
    private readonly TestProbe _queue, _pool, _client;
    private readonly string _storage = Directory.CreateTempSubdirectory("kfarm-recall-test-").FullName;
    private readonly FarmSettings _settings;

    public BuildJobActorRecallTests()
    {
        _queue = CreateTestProbe("queue");
        _pool = CreateTestProbe("pool");
        _client = CreateTestProbe("client");
        _settings = new FarmSettings { ArtifactStoragePath = _storage, AskTimeout = TimeSpan.FromSeconds(2) };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_storage, recursive: true);
    }

    private IActorRef StartJob(string jobId) => Sys.ActorOf(BuildJobActor.Props(jobId, _settings, _queue.Ref, _pool.Ref));

    [Fact]
    public void A_get_before_the_create_recalls_the_submission_from_the_queue_and_creates_the_job()
    {
        var job = StartJob("j1");
        var request = QueueStateTests.Request("x86_64", 0);
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);

        job.Tell(new BuildJobCommands.Get("j1"), _client.Ref);
        job.Tell(new BuildJobCommands.Get("j1"), _client.Ref);
        Assert.Equal("j1", _queue.ExpectMsg<QueueCommands.Recall>().JobId); // once for both
        _queue.Reply(new QueueReplies.Recalled("j1", request, at));

        var created = _queue.ExpectMsg<BuildJobReplies.Created>(); // the queue stops re-sending Create
        Assert.Equal(JobStatus.Queued, created.Job.Status);
        for (var i = 0; i < 2; i++)
        {
            var view = _client.ExpectMsg<BuildJobReplies.JobView>().Job;
            Assert.Equal(("j1", JobStatus.Queued, at), (view.Id, view.Status, view.CreatedAt));
            Assert.Same(request, view.Request);
        }
        _queue.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The queue's own Create, arriving late, finds the job there: confirmed, not created twice.
        job.Tell(new BuildJobCommands.Create("j1", request, at), _queue.Ref);
        Assert.Equal(at, _queue.ExpectMsg<BuildJobReplies.Created>().Job.CreatedAt);
    }

    [Fact]
    public void A_cancel_before_the_create_cancels_the_recalled_job_and_withdraws_it()
    {
        var job = StartJob("j2");
        job.Tell(new BuildJobCommands.Cancel("j2"), _client.Ref);
        _queue.ExpectMsg<QueueCommands.Recall>();
        _queue.Reply(new QueueReplies.Recalled("j2", QueueStateTests.Request("arm64", 0), DateTimeOffset.UtcNow));

        _queue.ExpectMsg<BuildJobReplies.Created>();
        Assert.Equal(JobStatus.Cancelled, _client.ExpectMsg<BuildJobReplies.JobView>().Job.Status);
        Assert.Equal("j2", _queue.ExpectMsg<QueueCommands.Withdraw>().JobId);
    }

    [Fact]
    public void An_id_the_queue_does_not_hold_is_not_found_and_is_asked_again_next_time()
    {
        var job = StartJob("j3");
        job.Tell(new BuildJobCommands.Get("j3"), _client.Ref);
        _queue.ExpectMsg<QueueCommands.Recall>();
        _queue.Reply(new QueueReplies.Recalled("j3", null, DateTimeOffset.UtcNow));
        Assert.Equal("j3", _client.ExpectMsg<BuildJobReplies.NotFound>().JobId);

        job.Tell(new BuildJobCommands.Cancel("j3"), _client.Ref);
        _queue.ExpectMsg<QueueCommands.Recall>();
        _queue.Reply(new QueueReplies.Recalled("j3", null, DateTimeOffset.UtcNow));
        _client.ExpectMsg<BuildJobReplies.NotFound>();
    }

    [Fact]
    public void A_queue_that_does_not_answer_leaves_the_job_not_found_after_half_the_ask_timeout()
    {
        var job = StartJob("j4");
        job.Tell(new BuildJobCommands.Get("j4"), _client.Ref);
        _queue.ExpectMsg<QueueCommands.Recall>(); // and no reply: the singleton is being handed over
        _client.ExpectMsg<BuildJobReplies.NotFound>(_settings.AskTimeout);
    }
}
