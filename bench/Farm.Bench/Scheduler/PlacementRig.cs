using Akka;
using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using KernelFarm.Actors;
using KernelFarm.Actors.Queue;
using KernelFarm.Actors.Servers;
using KernelFarm.Bench.Farm;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Bench.Scheduler;

/// <summary>
/// The real QueueActor and ServerPoolActor with simulated servers (recovered from events: no SSH,
/// no probes) and a stand-in for the job shard region that confirms every Create and Start at
/// once, on the in-memory journal: what is measured is the placement decision path, not the
/// journal (the submission figures measure that). Measures, one placement at a time, the time
/// from a slot being released (as a finished job releases it) to the next job's Start.
/// </summary>
public sealed class PlacementRig : IAsyncDisposable
{
    private const string Config = """
        akka.loglevel = WARNING
        akka.actor.provider = local
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(60);

    private readonly ActorSystem _system;
    private readonly IActorRef _queue, _pool, _jobs;
    private readonly Channel<JobsStandIn.StartSeen> _starts;
    private readonly Queue<(string JobId, string ServerId)> _running = new();

    private PlacementRig(ActorSystem system, IActorRef queue, IActorRef pool, IActorRef jobs, Channel<JobsStandIn.StartSeen> starts)
    {
        _system = system;
        _queue = queue;
        _pool = pool;
        _jobs = jobs;
        _starts = starts;
    }

    public int Servers { get; private init; }
    public int Slots { get; private init; }

    /// <summary>Registers the servers, submits enough jobs to fill every slot with <paramref name="waiting"/> left waiting.</summary>
    public static async Task<PlacementRig> StartAsync(int servers, int waiting, Action<string> log, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench-placement", ConfigurationFactory.ParseString(Config));
        // Probing off: the simulated servers have no SSH (ProbeInterval zero turns the periodic probe off).
        var settings = new FarmSettings { MaxQueueSize = waiting + 10_000, ProbeInterval = TimeSpan.Zero };
        var at = DateTimeOffset.UtcNow;
        var registry = Enumerable.Range(0, servers).Select(i => Simulated.Server(i)).ToList();
        var seeder = system.ActorOf(Props.Create(() => new JournalSeed.EventWriter("server-pool")));
        await seeder.Ask<Done>(registry.Select(s => (object)new ServerRegistered(s, at)).ToList(), Ask, ct);
        await seeder.GracefulStop(TimeSpan.FromSeconds(10));

        var starts = Channel.CreateUnbounded<JobsStandIn.StartSeen>();
        var jobs = system.ActorOf(Props.Create(() => new JobsStandIn(starts.Writer)), "jobs");
        // The pool reaches the queue through a forwarder, as it reaches it through a singleton proxy in the farm.
        var toQueue = system.ActorOf(Props.Create(() => new Forwarder()), "queue-proxy");
        var pool = system.ActorOf(ServerPoolActor.Props(settings, toQueue), "server-pool");
        var queue = system.ActorOf(QueueActor.Props(settings, jobs, pool), "build-queue");
        toQueue.Tell(queue);
        var slots = registry.Sum(s => s.MaxConcurrentJobs);
        var rig = new PlacementRig(system, queue, pool, jobs, starts) { Servers = servers, Slots = slots };

        var clock = Stopwatch.StartNew();
        var total = slots + waiting;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
                await rig.SubmitAsync(ct);
        }));
        log($"placement: {total:N0} jobs submitted in {clock.Elapsed.TotalSeconds:F1} s; waiting for {slots:N0} placements");
        var lastProgress = clock.Elapsed;
        while (rig._running.Count < slots)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                var s = await starts.Reader.ReadAsync(timeout.Token);
                rig._running.Enqueue((s.JobId, s.ServerId));
                lastProgress = clock.Elapsed;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var now = await queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, Ask, ct);
                log($"placement: {rig._running.Count:N0} of {slots:N0} placed so far ({now.Waiting:N0} waiting, {now.Dispatching:N0} being handed over)");
                if (clock.Elapsed - lastProgress > TimeSpan.FromMinutes(2)) throw new TimeoutException("placements stopped");
            }
        }
        var stats = await queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, Ask, ct);
        log($"placement: {servers:N0} servers full ({slots:N0} jobs placed), {stats.Waiting:N0} waiting, after {clock.Elapsed.TotalSeconds:F1} s");
        return rig;
    }

    private async Task SubmitAsync(CancellationToken ct)
    {
        var reply = await _queue.Ask<object>(new QueueCommands.Submit(Guid.CreateVersion7().ToString(), Simulated.Request, null), Ask, ct);
        if (reply is not QueueReplies.Accepted) throw new InvalidOperationException($"submit refused: {reply}");
    }

    /// <summary>
    /// One placement at a time for the window: a new submission keeps the queue's depth, the queue
    /// and the pool are let settle, then a running job's slot is released and the time until the
    /// next job's Start (sent by the queue once the pool reserved the slot and the queue persisted
    /// the dispatch) is one sample, in milliseconds.
    /// </summary>
    public async Task<List<double>> MeasureAsync(TimeSpan window, int maxSamples, CancellationToken ct)
    {
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window && samples.Count < maxSamples)
        {
            await SubmitAsync(ct);
            await _queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, Ask, ct);
            await _pool.Ask<object>(new ServerPoolCommands.Get("sim-00000"), Ask, ct);
            await _queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, Ask, ct); // the pool's answer to that round is in
            var (jobId, serverId) = _running.Dequeue();
            var t0 = Stopwatch.GetTimestamp();
            _pool.Tell(new ServerPoolCommands.Release(jobId, serverId), _jobs);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var started = await _starts.Reader.ReadAsync(timeout.Token);
            samples.Add(Stopwatch.GetElapsedTime(t0, started.Timestamp).TotalMilliseconds);
            _running.Enqueue((started.JobId, started.ServerId));
        }
        return samples;
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    /// <summary>Stands in for the job shard region: every Create and Start is confirmed at once; Starts are reported with their arrival time.</summary>
    private sealed class JobsStandIn : ReceiveActor
    {
        public sealed record StartSeen(string JobId, string ServerId, long Timestamp);

        public JobsStandIn(ChannelWriter<StartSeen> starts)
        {
            Receive<BuildJobCommands.Create>(c =>
                Sender.Tell(new BuildJobReplies.Created(new JobRecord { Id = c.JobId, Request = c.Request, CreatedAt = c.At })));
            Receive<BuildJobCommands.Start>(s =>
            {
                var at = Stopwatch.GetTimestamp();
                Sender.Tell(new BuildJobReplies.Started(s.JobId, s.Attempt));
                starts.TryWrite(new StartSeen(s.JobId, s.Placement.Server.Id, at));
            });
            ReceiveAny(_ => { }); // Released, Requeued acknowledgements
        }
    }

    /// <summary>Forwards everything to the actor it is given first.</summary>
    private sealed class Forwarder : ReceiveActor, IWithUnboundedStash
    {
        public IStash Stash { get; set; } = null!;

        public Forwarder()
        {
            Receive<IActorRef>(target =>
            {
                Become(() => ReceiveAny(m => target.Forward(m)));
                Stash.UnstashAll();
            });
            ReceiveAny(_ => Stash.Stash());
        }
    }
}
