using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Queue;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Bench.Recovery;

/// <summary>
/// The queue singleton's hand-over with a long history: 100,000 completed jobs (queued, placed,
/// handed to their actor; one in ten with an Idempotency-Key) in the farm's SQLite queue journal,
/// then a new QueueActor (as on the node taking over) until it answers its first command (commands
/// wait for recovery). With a snapshot every 1,000 events (the default) against the same history
/// without snapshots (full replay), in the same run.
/// </summary>
public sealed class QueueRecoveryScenario : IScenario
{
    public string Name => "recovery";
    public string Description => "queue singleton ready after hand-over, 100,000 jobs in its history: snapshots vs full replay";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var jobs = context.Quick ? 10_000 : 100_000;
        var withSnapshots = await MeasureAsync(context, jobs, snapshotEvery: 1000, ct);
        var fullReplay = await MeasureAsync(context, jobs, snapshotEvery: 0, ct);
        return
        [
            new BenchRow(Name, $"queue ready after hand-over, {jobs:N0} jobs in history", withSnapshots.TotalMilliseconds, "ms")
            {
                Baseline = fullReplay.TotalMilliseconds,
                BaselineLabel = "full replay (no snapshots)",
                Target = Target.Max(2000, "<= 2 s"),
                Note = $"best of 3 starts of a new QueueActor on the SQLite queue journal (3 events a job, snapshot every 1,000 events), " +
                       "until its first GetStats is answered; excludes the cluster's own failure detection and singleton hand-over",
            },
        ];
    }

    private static async Task<TimeSpan> MeasureAsync(BenchContext context, int jobs, int snapshotEvery, CancellationToken ct)
    {
        var settings = new FarmSettings { DataDirectory = Path.Combine(context.NewDirectory("recovery"), "data"), SnapshotEvery = snapshotEvery };
        JournalSeed.EnableWal(settings);

        using (var seeding = LocalFarmSystem.Create("bench-recovery-seed", settings))
        {
            var writer = seeding.ActorOf(Props.Create(() => new QueueHistoryWriter(snapshotEvery)));
            const int perBatch = 1000;
            for (var first = 0; first < jobs; first += perBatch)
                await writer.Ask<Done>(History(first, Math.Min(perBatch, jobs - first)), TimeSpan.FromMinutes(2), ct);
            await seeding.Terminate();
        }
        context.Log($"recovery: {jobs:N0} jobs written (snapshot every {(snapshotEvery == 0 ? "never" : snapshotEvery.ToString("N0"))})");

        var best = TimeSpan.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            using var system = LocalFarmSystem.Create("bench-recovery", settings);
            var standIn = system.ActorOf(Props.Create(() => new PlacesNothing()));
            var clock = Stopwatch.StartNew();
            var queue = system.ActorOf(QueueActor.Props(settings, standIn, standIn), "build-queue");
            var stats = await queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, TimeSpan.FromMinutes(5), ct);
            clock.Stop();
            if (stats.Accepted != jobs || stats.Waiting != 0 || stats.Dispatching != 0)
                throw new InvalidOperationException($"recovered {stats}, expected {jobs} accepted and none waiting");
            if (clock.Elapsed < best) best = clock.Elapsed;
            await system.Terminate();
        }
        context.Log($"recovery: ready in {best.TotalMilliseconds:N0} ms (snapshot every {snapshotEvery})");
        return best;
    }

    private static List<IQueueEvent> History(int first, int count)
    {
        var events = new List<IQueueEvent>(count * 3);
        var at = DateTimeOffset.UtcNow;
        var placement = new KernelFarm.Messages.Jobs.Placement("", Simulated.Server(0), Simulated.Server(0).Toolchains[0]);
        for (var i = first; i < first + count; i++)
        {
            var id = $"job-{i:D7}";
            events.Add(new JobQueued(id, Simulated.Request, i % 10 == 0 ? $"key-{i}" : null, i + 1, at));
            events.Add(new JobDispatched(placement with { JobId = id }, 1));
            events.Add(new JobHandedOver(id));
        }
        return events;
    }

    /// <summary>Stands in for the job region and the pool: nothing waits, so nothing is sent but Place.</summary>
    private sealed class PlacesNothing : ReceiveActor
    {
        public PlacesNothing()
        {
            Receive<ServerPoolCommands.Place>(_ => Sender.Tell(new ServerPoolReplies.Placed([])));
            ReceiveAny(_ => { });
        }
    }
}
