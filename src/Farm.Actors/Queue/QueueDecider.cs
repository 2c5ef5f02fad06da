using Akka.Actor;
using Akka.Event;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Queue.QueueEffect;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// The queue's decisions as a pure function of its state, its session and the command: QueueActor
/// only stores the events, applies them and carries out the effects. Create and Start are re-sent
/// until their job actor acknowledges them (one sent to a node that dies before it is downed is
/// lost; job actors treat duplicates as no-ops), and a job is only offered for placement once its
/// actor exists.
/// </summary>
public static class QueueDecider
{
    public const int CandidatesPerRequirement = 32;
    /// <summary>Bounds the burst after a hand-over of a long queue; the rest follow on later ticks.</summary>
    public const int RedeliveriesPerTick = 1000;

    /// <param name="sender">Who sent the command (replies go there).</param>
    /// <param name="liveLogPath">Where a job's live log is (the Accepted reply names it).</param>
    public static QueueDecision Decide(QueueState state, QueueSession session, object command, IActorRef sender, DateTimeOffset now,
        QueuePolicy policy, Func<string, string?>? liveLogPath = null) => command switch
    {
        QueueCommands.Submit s => Submit(state, session, s, sender, now, policy, liveLogPath),
        // A job that ended before it was placed (its result reused from a completed build) leaves the queue.
        BuildJobReplies.Created { Job.Status: var status } c when status.IsTerminal() => state.IsWaiting(c.Job.Id)
            ? new QueueDecision([new JobWithdrawn(c.Job.Id)], session, [])
            : QueueDecision.Nothing(session),
        BuildJobReplies.Created c => state.WaitingJob(c.Job.Id) is { } w && !session.Created.Contains(c.Job.Id)
            ? Dispatch(state, session with { Created = session.Created.Add(c.Job.Id), Unconfirmed = session.Unconfirmed.Remove(w.Key) }, now)
            : QueueDecision.Nothing(session),
        QueueCommands.Recall r => QueueDecision.Only(session, new Reply(sender,
            (session.Created.Contains(r.JobId) ? null : state.WaitingJob(r.JobId)) is { Attempt: 1 } first
                ? new QueueReplies.Recalled(r.JobId, first.Request, first.QueuedAt)
                : new QueueReplies.Recalled(r.JobId, null, now))),
        QueueCommands.IsKnown k => QueueDecision.Only(session, new Reply(sender, new QueueReplies.Known(k.JobId, state.IsWaiting(k.JobId) || state.IsDispatched(k.JobId)))),
        QueueSignals.RedeliveryTick => Redeliver(state, session, now, policy),
        ServerPoolReplies.Released => QueueDecision.Nothing(session), // for a placement withdrawn meanwhile
        QueueCommands.CapacityChanged or QueueSignals.DispatchTick => Dispatch(state, session, now),
        ServerPoolReplies.Placed p => Placed(state, session, p, now),
        QueueSignals.PlacementFailed f => QueueDecision.Only(session with { Placing = false },
            new Log(LogLevel.WarningLevel, $"placement failed: {f.Error}; retrying"), new ScheduleDispatch("dispatch", TimeSpan.FromSeconds(1))),
        BuildJobReplies.Started s => state.IsDispatched(s.JobId)
            ? new QueueDecision([new JobHandedOver(s.JobId)], session, [], Batched: true)
            : QueueDecision.Nothing(session),
        QueueCommands.Withdraw w => state.IsWaiting(w.JobId) ? new QueueDecision([new JobWithdrawn(w.JobId)], session, []) : QueueDecision.Nothing(session),
        QueueCommands.Requeue r => Requeue(state, session, r, sender),
        QueueCommands.PauseDispatch => QueueDecision.Only(session with { Paused = true },
            new Log(LogLevel.InfoLevel, $"queue: dispatch paused for shutdown ({state.WaitingCount} waiting)"), new Reply(sender, QueueReplies.Paused.Instance)),
        QueueCommands.GetStats => QueueDecision.Only(session, new Reply(sender, new QueueReplies.Stats(state.WaitingCount, state.DispatchedCount, state.Accepted))),
        QueueSignals.Recovered => Recovered(state, session, now, policy),
        _ => QueueDecision.Nothing(session),
    };

    /// <summary>
    /// What follows once an event is stored and applied (<paramref name="state"/> includes it): the
    /// session's bookkeeping of it and, for a submission, answers to later ones with its key.
    /// </summary>
    public static (QueueSession Session, IReadOnlyList<QueueEffect> Effects) Persisted(QueueState state, QueueSession session, IQueueEvent e)
    {
        switch (e)
        {
            case JobQueued q:
            {
                session = session with { Persisting = session.Persisting - 1 };
                if (state.WaitingJob(q.JobId) is { } w) session = session with { Unconfirmed = session.Unconfirmed.Add(w.Key) };
                if (q.IdempotencyKey is null || !session.PersistingKeys.TryGetValue(IdempotencyScope.Of(q.Request, q.IdempotencyKey), out var later))
                    return (session, []);
                session = session with { PersistingKeys = session.PersistingKeys.Remove(IdempotencyScope.Of(q.Request, q.IdempotencyKey)) };
                return (session, later.Select(l => (QueueEffect)new Reply(l.Client, new QueueReplies.Accepted(new JobRecord { Id = q.JobId, Request = l.Request }, Existing: true))).ToList());
            }
            case JobRequeued r:
                return (session with { LastSent = session.LastSent.Remove(r.JobId) }, []);
            case JobHandedOver h:
                return (session.Forget(h.JobId), []);
            case JobWithdrawn w:
                return (session.Forget(w.JobId), []);
            default:
                return (session, []);
        }
    }

    /// <summary>A submission the journal refused: it no longer counts, and a later submission with its key may try again.</summary>
    public static QueueSession Rejected(QueueSession session, IQueueEvent e) => e is JobQueued q
        ? session with
        {
            Persisting = session.Persisting - 1,
            PersistingKeys = q.IdempotencyKey is null ? session.PersistingKeys : session.PersistingKeys.Remove(IdempotencyScope.Of(q.Request, q.IdempotencyKey)),
        }
        : session;

    /// <summary>
    /// Stored without holding back the commands behind it (Batched), so concurrent submissions reach
    /// the journal together and are written in one batch; the queue's size, the sequence and
    /// idempotency keys count the submissions still being stored. The client is answered as soon as
    /// JobQueued is stored: from then on the job cannot be lost (the queue re-sends its Create until
    /// the job's actor confirms it, across restarts), and a GET or cancel that reaches the actor
    /// before the Create makes it ask for its submission (Recall).
    /// </summary>
    private static QueueDecision Submit(QueueState state, QueueSession session, QueueCommands.Submit s, IActorRef sender, DateTimeOffset now,
        QueuePolicy policy, Func<string, string?>? liveLogPath)
    {
        if (s.IdempotencyKey is { } idempotencyKey)
        {
            var key = IdempotencyScope.Of(s.Request, idempotencyKey);
            if (state.JobForKey(key) is { } existing)
                return QueueDecision.Only(session, new Reply(sender, new QueueReplies.Accepted(new JobRecord { Id = existing, Request = s.Request }, Existing: true)));
            if (session.PersistingKeys.TryGetValue(key, out var later))
                return QueueDecision.Nothing(session with { PersistingKeys = session.PersistingKeys.SetItem(key, later.Add((sender, s.Request))) });
        }
        if (state.WaitingCount + session.Persisting >= policy.MaxQueueSize)
            return QueueDecision.Only(session, new Reply(sender, new QueueReplies.QueueFull(policy.MaxQueueSize, RetryAfterSeconds: 5)));
        var sequence = Math.Max(session.LastSequence, state.LastSequence) + 1;
        var queued = new JobQueued(s.JobId, s.Request, s.IdempotencyKey, sequence, now);
        var next = session with
        {
            LastSequence = sequence,
            Persisting = session.Persisting + 1,
            LastSent = session.LastSent.SetItem(s.JobId, now),
            PersistingKeys = s.IdempotencyKey is null ? session.PersistingKeys : session.PersistingKeys.SetItem(IdempotencyScope.Of(s.Request, s.IdempotencyKey), []),
        };
        return new QueueDecision([queued], next,
        [
            new Reply(sender, new QueueReplies.Accepted(JobState.Queued(s.JobId, s.Request, now).ToRecord(liveLogPath?.Invoke(s.JobId)), Existing: false)),
            new ToJobs(new BuildJobCommands.Create(s.JobId, s.Request, now)),
        ], Batched: true);
    }

    private static QueueDecision Dispatch(QueueState state, QueueSession session, DateTimeOffset now)
    {
        if (session.Paused) return QueueDecision.Nothing(session);
        if (session.Placing) return QueueDecision.Nothing(session with { Dirty = true });
        session = session with { Dirty = false };
        var effects = new List<QueueEffect>();
        if (state.NextRetryAt(now) is { } retryAt)
            effects.Add(new ScheduleDispatch("retry", retryAt - now + TimeSpan.FromMilliseconds(10)));
        var created = session.Created;
        var candidates = state.NextCandidates(CandidatesPerRequirement, now, w => w.Attempt > 1 || created.Contains(w.JobId));
        if (candidates.Count == 0) return new QueueDecision([], session, effects);
        effects.Add(new AskPlacement(new ServerPoolCommands.Place(candidates)));
        return new QueueDecision([], session with { Placing = true }, effects);
    }

    /// <summary>
    /// A round offers at most CandidatesPerRequirement jobs of each kind: when it placed some, the
    /// pool may have room for more, so the next round follows at once (it ends with a round that
    /// places nothing) instead of waiting for the next submission or freed slot.
    /// </summary>
    private static QueueDecision Placed(QueueState state, QueueSession session, ServerPoolReplies.Placed placed, DateTimeOffset now)
    {
        session = session with { Placing = false };
        var dispatched = new List<IQueueEvent>();
        var effects = new List<QueueEffect>();
        foreach (var p in placed.Placements)
        {
            if (state.WaitingJob(p.JobId) is { } w)
            {
                var d = new JobDispatched(p, w.Attempt);
                dispatched.Add(d);
                effects.Add(new ToJobs(new BuildJobCommands.Start(p.JobId, p, w.Attempt)));
                session = session with { LastSent = session.LastSent.SetItem(p.JobId, now) };
            }
            else if (!state.IsDispatched(p.JobId))
                effects.Add(new ToPool(new ServerPoolCommands.Release(p.JobId))); // withdrawn meanwhile
        }
        if (dispatched.Count == 0)
        {
            if (!session.Dirty) return new QueueDecision([], session, effects);
            var again = Dispatch(state, session, now);
            return again with { Effects = [.. effects, .. again.Effects] };
        }
        effects.Add(DispatchAgain.Instance);
        return new QueueDecision(dispatched, session, effects);
    }

    /// <summary>Idempotent: a retry already waiting or already placed is not queued twice (the job re-sends its Requeue until it hears back).</summary>
    private static QueueDecision Requeue(QueueState state, QueueSession session, QueueCommands.Requeue r, IActorRef sender)
    {
        var ack = new Reply(sender, new QueueReplies.Requeued(r.JobId, r.Attempt));
        if (state.WaitingJob(r.JobId) is { } w && w.Attempt >= r.Attempt) return QueueDecision.Only(session, ack);
        if (state.DispatchedJob(r.JobId) is { } d && d.Attempt >= r.Attempt) return QueueDecision.Only(session, ack);
        var sequence = Math.Max(session.LastSequence, state.LastSequence) + 1;
        return new QueueDecision([new JobRequeued(r.JobId, r.Request, r.Attempt, r.AvoidServers, r.NotBefore, sequence)],
            session with { LastSequence = sequence },
            [
                ack,
                new Log(LogLevel.InfoLevel, $"queue: job {r.JobId} waits for attempt {r.Attempt} (not before {r.NotBefore:O}, avoiding {string.Join(",", r.AvoidServers)})"),
                DispatchAgain.Instance,
            ]);
    }

    private static QueueDecision Recovered(QueueState state, QueueSession session, DateTimeOffset now, QueuePolicy policy)
    {
        // This incarnation has seen no confirmation yet: every waiting first attempt is re-created.
        session = session with { Unconfirmed = session.Unconfirmed.Union(state.Waiting.Where(w => w.Attempt == 1).Select(w => w.Key)) };
        var redeliver = Redeliver(state, session, now, policy);
        var dispatch = Dispatch(state, redeliver.Session, now);
        return dispatch with
        {
            Effects =
            [
                new Log(LogLevel.InfoLevel, $"queue recovered: {state.WaitingCount} waiting, {state.DispatchedCount} being handed over, {state.Accepted} accepted in all"),
                new StartRedelivery(policy.RedeliveryInterval),
                .. redeliver.Effects,
                .. dispatch.Effects,
            ],
        };
    }

    /// <summary>
    /// Re-sends what a job actor has not acknowledged for a redelivery interval: Create for a first
    /// attempt (after a restart or hand-over, all of them: this incarnation knows of no
    /// confirmation), Start for a job placed but not handed over. Both are idempotent.
    /// </summary>
    private static QueueDecision Redeliver(QueueState state, QueueSession session, DateTimeOffset now, QueuePolicy policy)
    {
        var due = now - policy.RedeliveryInterval;
        var lastSent = session.LastSent.ToBuilder();
        bool Due(string jobId) => !lastSent.TryGetValue(jobId, out var at) || at <= due;
        var effects = new List<QueueEffect>();
        var budget = RedeliveriesPerTick;
        foreach (var d in state.Dispatched.Where(d => Due(d.Placement.JobId)).Take(budget).ToList())
        {
            effects.Add(new ToJobs(new BuildJobCommands.Start(d.Placement.JobId, d.Placement, d.Attempt)));
            lastSent[d.Placement.JobId] = now;
            budget--;
        }
        var unconfirmed = session.Unconfirmed.ToBuilder();
        foreach (var k in session.Unconfirmed)
        {
            if (budget <= 0) break;
            if (state.WaitingJob(k.JobId) is not { Attempt: 1 } w || w.Key != k || session.Created.Contains(k.JobId)) { unconfirmed.Remove(k); continue; }
            if (!Due(k.JobId)) continue;
            effects.Add(new ToJobs(new BuildJobCommands.Create(w.JobId, w.Request, w.QueuedAt)));
            lastSent[w.JobId] = now;
            budget--;
        }
        return new QueueDecision([], session with { LastSent = lastSent.ToImmutable(), Unconfirmed = unconfirmed.ToImmutable() }, effects);
    }
}
