using Akka;
using Akka.Actor;
using Akka.Configuration;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Queue;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Bench.Scheduler;

/// <summary>
/// The queue's own share of a submission: the real QueueActor on the farm's SQLite journal, with
/// stand-ins for the job shard region (confirms every Create at once) and the pool (places
/// nothing), N concurrent Submit asks answered as the gateway's are.
/// </summary>
public static class QueueAlone
{
    public static async Task<LoadResult> RunAsync(BenchContext context, int concurrency, TimeSpan warmUp, TimeSpan window, CancellationToken ct)
    {
        var root = context.NewDirectory("queue");
        var settings = new FarmSettings { DataDirectory = Path.Combine(root, "data"), MaxQueueSize = 10_000_000 };
        JournalSeed.EnableWal(settings);
        using var system = LocalFarmSystem.Create("bench-queue", settings);
        var jobs = system.ActorOf(Props.Create(() => new JobsStandIn()), "jobs");
        var pool = system.ActorOf(Props.Create(() => new EmptyPool()), "pool");
        var queue = system.ActorOf(QueueActor.Props(settings, jobs, pool), "build-queue");
        await queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, TimeSpan.FromSeconds(30), ct);
        var result = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
        {
            var reply = await queue.Ask<object>(new QueueCommands.Submit(Guid.CreateVersion7().ToString(), Simulated.Request, null), settings.AskTimeout, token);
            return reply is QueueReplies.Accepted { Existing: false };
        }, ct);
        await system.Terminate();
        return result;
    }

    private sealed class JobsStandIn : ReceiveActor
    {
        public JobsStandIn()
        {
            Receive<BuildJobCommands.Create>(c =>
                Sender.Tell(new BuildJobReplies.Created(new JobRecord { Id = c.JobId, Request = c.Request, CreatedAt = c.At })));
            ReceiveAny(_ => { });
        }
    }

    private sealed class EmptyPool : ReceiveActor
    {
        public EmptyPool()
        {
            Receive<ServerPoolCommands.Place>(_ => Sender.Tell(new ServerPoolReplies.Placed([])));
            ReceiveAny(_ => { });
        }
    }
}
