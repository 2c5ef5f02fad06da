using Akka;
using Akka.Actor;
using Akka.Persistence;
using KernelFarm.Actors;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Bench.Scheduler;

/// <summary>
/// Submissions accepted and persisted per second inside one process: the two asks the HTTP
/// gateway makes before it answers 202 (JobEndpoints.EnqueueAsync: the pool's feasibility check,
/// then the queue's Submit, answered once the queue persisted JobQueued; the job's actor is created
/// right after, off the answer's path), against a one-node farm on a SQLite journal. Baseline: a bare
/// persistent actor on the same journal persisting one small event per ask, at the same concurrency.
/// </summary>
public static class InProcessSubmissions
{
    /// <param name="JobActors">Job actors created through the shard region alone (the work that follows every submission).</param>
    /// <param name="QueueAlone">The queue actor alone on the same kind of journal (job actors and pool stood in).</param>
    public sealed record Result(LoadResult Farm, LoadResult Journal, LoadResult JobActors, LoadResult QueueAlone, int Waiting);

    public static async Task<Result> RunAsync(BenchContext context, int concurrency, TimeSpan warmUp, TimeSpan window, CancellationToken ct)
    {
        var root = context.NewDirectory("inproc");
        var settings = new FarmSettings
        {
            DataDirectory = Path.Combine(root, "data"),
            ArtifactStoragePath = Path.Combine(root, "artifacts"),
            MaxQueueSize = 10_000_000,
        };
        // One registered server that takes no jobs (draining): jobs are feasible, so they are accepted, and then wait.
        await JournalSeed.DrainingServersAsync(settings, context.HoconDirectory, [Simulated.Server(0)]);
        LoadResult journal, jobActors, submissions;
        int waiting;
        await using (var farm = await InProcessFarm.StartAsync(settings, context.HoconDirectory, ct))
        {
            var ask = settings.AskTimeout;

            context.Log($"in-process: journal baseline, {concurrency} concurrent askers");
            var bare = farm.System.ActorOf(Props.Create(() => new BarePersistentActor("bench-journal-baseline")), "bench-journal-baseline");
            journal = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
            {
                await bare.Ask<Done>(new QueueEvents.JobHandedOver(Guid.CreateVersion7().ToString()), ask, token);
                return true;
            }, ct);
            context.Log($"in-process: journal baseline {journal.PerSecond:F0}/s");

            context.Log($"in-process: job actors created through the shard region, {concurrency} concurrent askers");
            jobActors = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
            {
                var reply = await farm.Jobs.Ask<object>(new BuildJobCommands.Create(Guid.CreateVersion7().ToString(), Simulated.Request, DateTimeOffset.UtcNow), ask, token);
                return reply is BuildJobReplies.Created;
            }, ct);
            context.Log($"in-process: job actors {jobActors.PerSecond:F0}/s");

            context.Log($"in-process: submissions, {concurrency} concurrent submitters");
            var r = Simulated.Request;
            var c = r.BuildConfig;
            submissions = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
            {
                var feasible = await farm.Pool.Ask<ServerPoolReplies.Feasibility>(
                    new ServerPoolCommands.CheckFeasible(r.TargetArchitecture, r.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage), ask, token);
                if (!feasible.Feasible) throw new InvalidOperationException($"infeasible: {feasible.Reason}");
                var reply = await farm.Queue.Ask<object>(new QueueCommands.Submit(Guid.CreateVersion7().ToString(), r, null), ask, token);
                return reply is QueueReplies.Accepted { Existing: false };
            }, ct);
            var stats = await farm.Queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, ask, ct);
            waiting = stats.Waiting;
            context.Log($"in-process: {submissions.PerSecond:F0}/s accepted, {submissions.Failed} refused; {waiting} waiting");
        }

        context.Log($"in-process: the queue alone (job actors and pool stood in), {concurrency} concurrent submitters");
        var queueAlone = await QueueAlone.RunAsync(context, concurrency, warmUp, window, ct);
        context.Log($"in-process: the queue alone {queueAlone.PerSecond:F0}/s");
        return new Result(submissions, journal, jobActors, queueAlone, waiting);
    }

    /// <summary>The journal's own cost: persists each command's event (plain Persist: one write after another), then answers.</summary>
    private sealed class BarePersistentActor : ReceivePersistentActor
    {
        public BarePersistentActor(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<QueueEvents.JobHandedOver>(e =>
            {
                var sender = Sender;
                Persist(e, _ => sender.Tell(Done.Instance));
            });
        }

        public override string PersistenceId { get; }
    }
}
