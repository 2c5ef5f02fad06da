using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Persistence;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// The build queue: a persistent cluster singleton. A thin coordinator over <see cref="QueueDecider"/>:
/// it stores the events a command comes to, applies them to <see cref="QueueState"/> and carries out
/// the effects. A snapshot every <see cref="FarmSettings.SnapshotEvery"/> events bounds what a
/// restart or hand-over replays.
/// </summary>
public sealed class QueueActor : SnapshottingActor, IWithTimers
{
    private static readonly TimeSpan PlacementTimeout = TimeSpan.FromSeconds(10);

    private readonly FarmSettings _settings;
    private readonly QueuePolicy _policy;
    private readonly ArtifactStore _logs;
    private readonly IActorRef _jobs, _pool;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private QueueState _state = QueueState.Empty;
    private QueueSession _session = QueueSession.Fresh;

    public QueueActor(FarmSettings settings, IActorRef jobs, IActorRef pool) : base(settings.SnapshotEvery)
    {
        _settings = settings;
        _policy = QueuePolicy.From(settings);
        // The farm's configuration gives the queue a journal and snapshot store of its own (FarmPersistence).
        JournalPluginId = Context.System.Settings.Config.GetString("kfarm.queue-journal-plugin", "");
        SnapshotPluginId = Context.System.Settings.Config.GetString("kfarm.queue-snapshot-plugin", "");
        _logs = new ArtifactStore(settings.ArtifactStoragePath);
        _jobs = jobs;
        _pool = pool;

        Recover<SnapshotOffer>(o => { if (o.Snapshot is QueueSnapshot s) _state = QueueState.FromSnapshot(s); });
        Recover<IQueueEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Decide(QueueSignals.Recovered.Instance));

        Command<HandOff>(_ => Context.Stop(Self)); // after what is being persisted: nothing accepted is dropped
        CommandAny(Decide);
    }

    public override string PersistenceId => "build-queue";
    public ITimerScheduler Timers { get; set; } = null!;

    private void Decide(object command)
    {
        var decision = QueueDecider.Decide(_state, _session, command, Sender, DateTimeOffset.UtcNow, _policy, _logs.LiveLogPath);
        _session = decision.Session;
        if (decision.Events.Count == 0) { Perform(decision.Effects); return; }
        var remaining = decision.Events.Count;
        void Stored(IQueueEvent e)
        {
            _state = _state.Apply(e);
            (_session, var effects) = QueueDecider.Persisted(_state, _session, e);
            SnapshotIfDue(_state.ToSnapshot);
            if (--remaining == 0) Perform(decision.Effects);
            Perform(effects); // after the decision's own reply: a submission's client hears before later ones with its key
        }
        if (decision.Batched) PersistAllAsync(decision.Events, Stored);
        else PersistAll(decision.Events, Stored);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        if (@event is IQueueEvent e) _session = QueueDecider.Rejected(_session, e);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void Perform(IReadOnlyList<QueueEffect> effects)
    {
        foreach (var effect in effects)
            switch (effect)
            {
                case QueueEffect.Reply r: r.To.Tell(r.Message); break;
                case QueueEffect.ToJobs j: _jobs.Tell(j.Message); break;
                case QueueEffect.ToPool p: _pool.Tell(p.Message); break;
                case QueueEffect.AskPlacement a:
                    _pool.Ask<ServerPoolReplies.Placed>(a.Place, PlacementTimeout)
                        .PipeTo(Self, failure: e => new QueueSignals.PlacementFailed(e.Message));
                    break;
                case QueueEffect.ScheduleDispatch s: Timers.StartSingleTimer(s.TimerKey, QueueSignals.DispatchTick.Instance, s.Delay); break;
                case QueueEffect.StartRedelivery s: Timers.StartPeriodicTimer("redeliver", QueueSignals.RedeliveryTick.Instance, s.Interval); break;
                case QueueEffect.DispatchAgain: Decide(QueueSignals.DispatchTick.Instance); break;
                case QueueEffect.Log l: _log.Log(l.Level, l.Message); break;
            }
    }

    public static Props Props(FarmSettings settings, IActorRef jobs, IActorRef pool) =>
        Akka.Actor.Props.Create(() => new QueueActor(settings, jobs, pool));
}
