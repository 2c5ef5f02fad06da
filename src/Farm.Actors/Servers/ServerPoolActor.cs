using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Persistence;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// The registry of build servers: a persistent cluster singleton, a thin coordinator over
/// <see cref="PoolDecider"/>. Registers servers only after an SSH probe with the pinned host key
/// succeeds, accounts slots per job (idempotent), places jobs with <see cref="PlacementStrategy"/>,
/// and probes every server on an interval (health is not persisted: it is re-learned within one
/// interval after a restart). A snapshot every <see cref="FarmSettings.SnapshotEvery"/> events bounds recovery.
/// </summary>
public sealed class ServerPoolActor : SnapshottingActor, IWithTimers
{
    private readonly FarmSettings _settings;
    private readonly IActorRef _queue;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PoolState _state = PoolState.Empty;
    private PoolObservations _seen = PoolObservations.None;

    public ServerPoolActor(FarmSettings settings, IActorRef queue) : base(settings.SnapshotEvery)
    {
        _settings = settings;
        _queue = queue;

        Recover<SnapshotOffer>(o => { if (o.Snapshot is PoolSnapshot s) _state = PoolState.FromSnapshot(s); });
        Recover<IPoolEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Decide(PoolSignals.Recovered.Instance));

        Command<HandOff>(_ => Context.Stop(Self)); // after what is being persisted: nothing accepted is dropped
        CommandAny(Decide);
    }

    public override string PersistenceId => "server-pool";
    public ITimerScheduler Timers { get; set; } = null!;

    private void Decide(object command)
    {
        var decision = PoolDecider.Decide(_state, _seen, command, Sender, DateTimeOffset.UtcNow, _settings.ProbeInterval);
        _seen = decision.Observations;
        if (decision.Events.Count == 0) { Perform(decision.Effects); return; }
        var remaining = decision.Events.Count;
        PersistAll(decision.Events, e =>
        {
            _state = _state.Apply(e);
            SnapshotIfDue(_state.ToSnapshot);
            if (--remaining == 0) Perform(decision.Effects);
        });
    }

    private void Perform(IReadOnlyList<PoolEffect> effects)
    {
        foreach (var effect in effects)
            switch (effect)
            {
                case PoolEffect.Reply r: r.To.Tell(r.Message); break;
                case PoolEffect.ToQueue q: _queue.Tell(q.Message); break;
                case PoolEffect.StartProbing p: Timers.StartPeriodicTimer("probe", PoolSignals.ProbeAll.Instance, TimeSpan.FromSeconds(1), p.Interval); break;
                case PoolEffect.Log l: _log.Log(l.Level, l.Message); break;
                case PoolEffect.Probe p:
                    var probe = ServerProbe.RunAsync(p.Server, _settings.SshConnectTimeout);
                    var server = p.Server;
                    var replyTo = p.ReplyTo!;
                    switch (p.Reason)
                    {
                        case PoolSignals.ProbeReason.Registration: probe.PipeTo(Self, success: r => new PoolSignals.RegistrationProbed(server, r, replyTo)); break;
                        case PoolSignals.ProbeReason.Request: probe.PipeTo(Self, success: r => new PoolSignals.ProbedOnRequest(r, replyTo)); break;
                        default: probe.PipeTo(Self); break;
                    }
                    break;
            }
    }

    public static Props Props(FarmSettings settings, IActorRef queue) =>
        Akka.Actor.Props.Create(() => new ServerPoolActor(settings, queue));
}
