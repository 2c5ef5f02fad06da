using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Plans;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Queue;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Plans;

/// <summary>A plan hears of its jobs' ends as they happen (JobEnded on the pub-sub topic), not at its next 2 s poll.</summary>
public sealed class PlanActorNoticeTests : ActorTest
{
    private static PlanEvents.Accepted Plan(string id) => new(id, "p", null, "git://127.0.0.1/linux.git", "master", null, "ci",
    [
        new PlanBuild { Index = 0, Path = "jobs[0].builds[0]", JobId = "job-a", Request = QueueStateTests.Request() },
        new PlanBuild { Index = 1, Path = "jobs[0].builds[1]", JobId = "job-b", Request = QueueStateTests.Request() },
        new PlanBuild { Index = 2, Path = "jobs[0].builds[2]", Unsupported = "architecture powerpc is not in the farm's catalogue" },
    ], DateTimeOffset.UtcNow);

    [Fact]
    public void The_plan_subscribes_and_ends_once_every_job_has_announced_its_end()
    {
        var queue = CreateTestProbe();
        var jobs = CreateTestProbe();
        var notices = CreateTestProbe();
        var plan = Sys.ActorOf(PlanActor.Props("p1", new FarmSettings(), queue, jobs, notices));

        plan.Tell(new PlanCommands.Accept(Plan("p1")));
        ExpectMsg<PlanReplies.PlanView>();
        var subscribe = notices.ExpectMsg<Subscribe>();
        Assert.Equal((JobEnded.Topic, plan), (subscribe.Topic, subscribe.Ref));
        foreach (var expected in new[] { "job-a", "job-b" })
        {
            var submit = queue.ExpectMsg<QueueCommands.Submit>();
            Assert.Equal(expected, submit.JobId);
            queue.Reply(new QueueReplies.Accepted(new JobRecord { Id = submit.JobId, Request = submit.Request }, Existing: false));
        }

        // another plan's job changes nothing; then both of ours end
        plan.Tell(new JobEnded("job-z", JobStatus.Completed));
        plan.Tell(new JobEnded("job-a", JobStatus.Completed));
        plan.Tell(new JobEnded("job-b", JobStatus.Failed));

        // ended well within the first poll (2 s): the notices decided it
        var ended = AwaitAssert(() =>
        {
            plan.Tell(new PlanCommands.Get("p1"));
            var view = ExpectMsg<PlanReplies.PlanView>();
            Assert.NotNull(view.Plan.EndedAt);
            return view;
        }, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(50));
        Assert.Equal("fail", ended.Plan.Result); // a build failed
        Assert.Equal(plan, notices.ExpectMsg<Unsubscribe>().Ref); // nothing more to hear
    }

    private T AwaitAssert<T>(Func<T> check, TimeSpan within, TimeSpan interval)
    {
        T result = default!;
        AwaitAssert(() => { result = check(); }, within, interval);
        return result;
    }
}
