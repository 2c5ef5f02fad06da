using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// The build queue: a persistent cluster singleton. Accepts submissions (bounded, idempotent by
/// key), keeps them in priority/FIFO order, asks the pool for placements and hands each placed job
/// to its BuildJobActor. Every step is an event. Create and Start are re-sent until their job actor
/// acknowledges them (one sent to a node that dies before it is downed is lost; job actors treat
/// duplicates as no-ops), and a job is only offered for placement once its actor exists.
/// </summary>
public sealed class QueueActor : ReceivePersistentActor, IWithTimers
{
    private const int CandidatesPerRequirement = 32;
    /// <summary>Bounds the burst after a hand-over of a long queue; the rest follow on later ticks.</summary>
    private const int RedeliveriesPerTick = 1000;
    private static readonly TimeSpan PlacementTimeout = TimeSpan.FromSeconds(10);

    private sealed record PlacementFailed(string Error);
    private sealed record DispatchTick;
    private sealed record RedeliveryTick;

    private readonly FarmSettings _settings;
    private readonly ArtifactStore _logs;
    private readonly IActorRef _jobs, _pool;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly QueueState _state = new();
    /// <summary>First attempts whose actor confirmed its Create to this incarnation of the queue.</summary>
    private readonly HashSet<string> _created = [];
    /// <summary>When Create or Start was last sent for a job not yet handed over.</summary>
    private readonly Dictionary<string, DateTimeOffset> _lastSent = new();
    /// <summary>
    /// Waiting first attempts whose Create this incarnation has not seen confirmed, in queue order:
    /// what redelivery re-sends, so a tick does not scan every waiting job. Entries that stopped
    /// waiting are dropped when a tick meets them.
    /// </summary>
    private readonly SortedSet<QueueKey> _unconfirmed = [];
    /// <summary>Submissions whose JobQueued is being persisted (they count against the queue's size).</summary>
    private int _persisting;
    /// <summary>Idempotency keys of submissions being persisted: later submissions with the key wait for the first.</summary>
    private readonly Dictionary<IdempotencyScope, List<(IActorRef Client, BuildJobRequest Request)>> _persistingKeys = new();
    /// <summary>The last queue sequence number handed out, persisted or not.</summary>
    private long _lastSequence;
    private bool _placing, _dirty, _paused;

    public QueueActor(FarmSettings settings, IActorRef jobs, IActorRef pool)
    {
        _settings = settings;
        // The farm's configuration gives the queue a journal of its own (hocon/persistence-*.hocon).
        JournalPluginId = Context.System.Settings.Config.GetString("kfarm.queue-journal-plugin", "");
        _logs = new ArtifactStore(settings.ArtifactStoragePath);
        _jobs = jobs;
        _pool = pool;

        Recover<JobQueued>(_state.Apply);
        Recover<JobDispatched>(_state.Apply);
        Recover<JobHandedOver>(_state.Apply);
        Recover<JobWithdrawn>(_state.Apply);
        Recover<JobRequeued>(_state.Apply);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<QueueCommands.Submit>(OnSubmit);
        Command<BuildJobReplies.Created>(c =>
        {
            if (_state.WaitingJob(c.Job.Id) is { } w && _created.Add(c.Job.Id))
            {
                _unconfirmed.Remove(w.Key);
                Dispatch();
            }
        });
        Command<QueueCommands.Recall>(r =>
        {
            var w = _created.Contains(r.JobId) ? null : _state.WaitingJob(r.JobId);
            Sender.Tell(w is { Attempt: 1 }
                ? new QueueReplies.Recalled(r.JobId, w.Request, w.QueuedAt)
                : new QueueReplies.Recalled(r.JobId, null, DateTimeOffset.UtcNow));
        });
        Command<QueueCommands.IsKnown>(k => Sender.Tell(new QueueReplies.Known(k.JobId, _state.IsWaiting(k.JobId) || _state.IsDispatched(k.JobId))));
        Command<RedeliveryTick>(_ => Redeliver());
        Command<ServerPoolReplies.Released>(_ => { }); // for a placement withdrawn meanwhile
        Command<QueueCommands.CapacityChanged>(_ => Dispatch());
        Command<DispatchTick>(_ => Dispatch());
        Command<ServerPoolReplies.Placed>(OnPlaced);
        Command<PlacementFailed>(f =>
        {
            _log.Warning("placement failed: {0}; retrying", f.Error);
            _placing = false;
            Timers.StartSingleTimer("dispatch", new DispatchTick(), TimeSpan.FromSeconds(1));
        });
        Command<BuildJobReplies.Started>(s =>
        {
            if (_state.IsDispatched(s.JobId))
                PersistAsync(new JobHandedOver(s.JobId), e => { _state.Apply(e); Forget(e.JobId); });
        });
        Command<QueueCommands.Withdraw>(w =>
        {
            if (_state.IsWaiting(w.JobId)) Persist(new JobWithdrawn(w.JobId), e => { _state.Apply(e); Forget(e.JobId); });
        });
        Command<QueueCommands.Requeue>(OnRequeue);
        Command<QueueCommands.PauseDispatch>(_ =>
        {
            _paused = true;
            _log.Info("queue: dispatch paused for shutdown ({0} waiting)", _state.WaitingCount);
            Sender.Tell(QueueReplies.Paused.Instance);
        });
        Command<QueueCommands.GetStats>(_ => Sender.Tell(new QueueReplies.Stats(_state.WaitingCount, _state.DispatchedCount, _state.Accepted)));
    }

    public override string PersistenceId => "build-queue";
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Persists the submission without holding back the commands behind it (PersistAsync), so
    /// concurrent submissions reach the journal together and are written in one batch; the queue's
    /// size, the sequence and idempotency keys count the submissions still being persisted. The
    /// client is answered as soon as JobQueued is stored: from then on the job cannot be lost (the
    /// queue re-sends its Create until the job's actor confirms it, across restarts), and a GET or
    /// cancel that reaches the actor before the Create makes it ask for its submission (Recall).
    /// Creating the persistent job actor is several journal writes; keeping it off the answer's
    /// path is what lets submissions be accepted far faster than job actors can be created.
    /// </summary>
    private void OnSubmit(QueueCommands.Submit s)
    {
        if (s.IdempotencyKey is { } idempotencyKey)
        {
            var key = IdempotencyScope.Of(s.Request, idempotencyKey);
            if (_state.JobForKey(key) is { } existing)
            {
                Sender.Tell(new QueueReplies.Accepted(new JobRecord { Id = existing, Request = s.Request }, Existing: true));
                return;
            }
            if (_persistingKeys.TryGetValue(key, out var later)) { later.Add((Sender, s.Request)); return; }
        }
        if (_state.WaitingCount + _persisting >= _settings.MaxQueueSize)
        {
            Sender.Tell(new QueueReplies.QueueFull(_settings.MaxQueueSize, RetryAfterSeconds: 5));
            return;
        }
        var client = Sender;
        var queued = new JobQueued(s.JobId, s.Request, s.IdempotencyKey, NextSequence(), DateTimeOffset.UtcNow);
        _persisting++;
        if (s.IdempotencyKey is not null) _persistingKeys[IdempotencyScope.Of(s.Request, s.IdempotencyKey)] = [];
        PersistAsync(queued, q =>
        {
            _persisting--;
            _state.Apply(q);
            if (_state.WaitingJob(q.JobId) is { } w) _unconfirmed.Add(w.Key);
            client.Tell(new QueueReplies.Accepted(JobState.Queued(q.JobId, q.Request, q.At).ToRecord(_logs.LiveLogPath(q.JobId)), Existing: false));
            if (q.IdempotencyKey is not null && _persistingKeys.Remove(IdempotencyScope.Of(q.Request, q.IdempotencyKey), out var later))
                foreach (var (c, request) in later) c.Tell(new QueueReplies.Accepted(new JobRecord { Id = q.JobId, Request = request }, Existing: true));
            SendCreate(q.JobId, q.Request, q.At);
        });
    }

    private long NextSequence() => _lastSequence = Math.Max(_lastSequence, _state.LastSequence) + 1;

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        if (@event is JobQueued q)
        {   // never stored: it no longer counts, and a later submission with its key may try again
            _persisting--;
            if (q.IdempotencyKey is not null) _persistingKeys.Remove(IdempotencyScope.Of(q.Request, q.IdempotencyKey));
        }
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void Dispatch()
    {
        if (_paused) return;
        if (_placing) { _dirty = true; return; }
        _dirty = false;
        var now = DateTimeOffset.UtcNow;
        if (_state.NextRetryAt(now) is { } retryAt)
            Timers.StartSingleTimer("retry", new DispatchTick(), retryAt - now + TimeSpan.FromMilliseconds(10));
        var candidates = _state.NextCandidates(CandidatesPerRequirement, now, w => w.Attempt > 1 || _created.Contains(w.JobId));
        if (candidates.Count == 0) return;
        _placing = true;
        _pool.Ask<ServerPoolReplies.Placed>(new ServerPoolCommands.Place(candidates), PlacementTimeout)
            .PipeTo(Self, failure: e => new PlacementFailed(e.Message));
    }

    private void OnPlaced(ServerPoolReplies.Placed placed)
    {
        _placing = false;
        var dispatched = new List<JobDispatched>();
        foreach (var p in placed.Placements)
        {
            if (_state.WaitingJob(p.JobId) is { } w) dispatched.Add(new JobDispatched(p, w.Attempt));
            else if (!_state.IsDispatched(p.JobId))
                _pool.Tell(new ServerPoolCommands.Release(p.JobId)); // withdrawn meanwhile
        }
        if (dispatched.Count == 0) { if (_dirty) Dispatch(); return; }
        PersistAll(dispatched, d =>
        {
            _state.Apply(d);
            SendStart(d);
        });
        // A round offers at most CandidatesPerRequirement jobs of each kind: when it placed some,
        // the pool may have room for more, so the next round follows at once (it ends with a round
        // that places nothing) instead of waiting for the next submission or freed slot.
        DeferAsync(dispatched, _ => Dispatch());
    }

    private void OnRequeue(QueueCommands.Requeue r)
    {
        // Idempotent: a retry already waiting or already placed is not queued twice.
        // The job re-sends its Requeue until it hears back.
        var ack = new QueueReplies.Requeued(r.JobId, r.Attempt);
        if (_state.WaitingJob(r.JobId) is { } w && w.Attempt >= r.Attempt) { Sender.Tell(ack); return; }
        if (_state.DispatchedJob(r.JobId) is { } d && d.Attempt >= r.Attempt) { Sender.Tell(ack); return; }
        var job = Sender;
        Persist(new JobRequeued(r.JobId, r.Request, r.Attempt, r.AvoidServers, r.NotBefore, NextSequence()), e =>
        {
            _state.Apply(e);
            _lastSent.Remove(e.JobId);
            job.Tell(ack);
            _log.Info("queue: job {0} waits for attempt {1} (not before {2:O}, avoiding {3})", r.JobId, r.Attempt, r.NotBefore, string.Join(",", r.AvoidServers));
            Dispatch();
        });
    }

    private void OnRecovered()
    {
        _log.Info("queue recovered: {0} waiting, {1} being handed over, {2} accepted in all", _state.WaitingCount, _state.DispatchedCount, _state.Accepted);
        foreach (var w in _state.Waiting)
            if (w.Attempt == 1) _unconfirmed.Add(w.Key); // this incarnation has seen no confirmation yet
        Timers.StartPeriodicTimer("redeliver", new RedeliveryTick(), _settings.RedeliveryInterval);
        Redeliver();
        Dispatch();
    }

    private void SendCreate(string jobId, BuildJobRequest request, DateTimeOffset at)
    {
        _lastSent[jobId] = DateTimeOffset.UtcNow;
        _jobs.Tell(new BuildJobCommands.Create(jobId, request, at));
    }

    private void SendStart(JobDispatched d)
    {
        _lastSent[d.Placement.JobId] = DateTimeOffset.UtcNow;
        _jobs.Tell(new BuildJobCommands.Start(d.Placement.JobId, d.Placement, d.Attempt));
    }

    private void Forget(string jobId)
    {
        _created.Remove(jobId);
        _lastSent.Remove(jobId);
    }

    /// <summary>
    /// Re-sends what a job actor has not acknowledged for a redelivery interval: Create for a
    /// first attempt (after a restart or hand-over, all of them: this incarnation knows of no
    /// confirmation), Start for a job placed but not handed over. Both are idempotent.
    /// </summary>
    private void Redeliver()
    {
        var due = DateTimeOffset.UtcNow - _settings.RedeliveryInterval;
        bool Due(string jobId) => !_lastSent.TryGetValue(jobId, out var at) || at <= due;
        var budget = RedeliveriesPerTick;
        foreach (var d in _state.Dispatched.Where(d => Due(d.Placement.JobId)).Take(budget).ToList())
        {
            SendStart(d);
            budget--;
        }
        List<QueueKey>? stale = null;
        foreach (var k in _unconfirmed)
        {
            if (budget <= 0) break;
            if (_state.WaitingJob(k.JobId) is not { Attempt: 1 } w || w.Key != k || _created.Contains(k.JobId)) { (stale ??= []).Add(k); continue; }
            if (!Due(k.JobId)) continue;
            SendCreate(w.JobId, w.Request, w.QueuedAt);
            budget--;
        }
        foreach (var k in stale ?? []) _unconfirmed.Remove(k);
    }

    public static Props Props(FarmSettings settings, IActorRef jobs, IActorRef pool) =>
        Akka.Actor.Props.Create(() => new QueueActor(settings, jobs, pool));
}
