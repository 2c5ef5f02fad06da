using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Queue;
using static KernelFarm.Messages.Plans.PlanEvents;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// One plan, hosted by Cluster Sharding with remember-entities. It persists the accepted plan
/// (every build's job id decided) before anything is queued, then hands the builds' jobs to the
/// queue one by one under idempotency keys (<see cref="PlanState.QueueKey"/>), persisting each
/// acceptance: a node that dies in between restarts the plan, which queues the rest and gets the
/// same job back for one already queued. It then watches its jobs until every build has ended.
/// Cancel stops queueing and cancels the jobs already queued.
/// </summary>
public sealed class PlanActor : ReceivePersistentActor, IWithTimers
{
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PassivateAfter = TimeSpan.FromMinutes(2);

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly string _planId;
    private readonly FarmSettings _settings;
    private readonly IActorRef _queue, _jobs;
    /// <summary>The cluster's publish-subscribe mediator (<see cref="JobEnded"/>); Nobody: the plan only polls.</summary>
    private readonly IActorRef _notices;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PlanState _state = PlanState.Empty;
    /// <summary>Jobs seen final: not asked again.</summary>
    private readonly Dictionary<int, JobStatus> _ended = [];
    private bool _queueing, _watching, _ending, _subscribed;

    private sealed record QueueNext;
    private sealed record Queued(int Index);
    private sealed record NotQueued(int Index, TimeSpan RetryIn, string Why);
    private sealed record Watch;
    private sealed record Watched(IReadOnlyDictionary<int, JobStatus> Statuses);

    public override string PersistenceId => "plan-" + _planId;

    public PlanActor(string planId, FarmSettings settings, IActorRef queue, IActorRef jobs, IActorRef? notices = null)
    {
        _planId = planId;
        _settings = settings;
        _queue = queue;
        _jobs = jobs;
        _notices = notices ?? ActorRefs.Nobody;

        Recover<IPlanEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<PlanCommands.Accept>(a =>
        {
            if (_state.Exists) { Sender.Tell(View()); return; } // a repeat: the plan is already accepted
            Persist(a.Plan, e =>
            {
                _state = _state.Apply(e);
                Sender.Tell(View());
                Resume();
            });
        });
        Command<PlanCommands.Get>(_ =>
        {
            if (_state.Exists) Sender.Tell(View());
            else NotFound();
        });
        Command<PlanCommands.Cancel>(_ =>
        {
            if (!_state.Exists) { NotFound(); return; }
            if (_state.Cancelled || _state.Ended) { Sender.Tell(View()); return; }
            var replyTo = Sender;
            Persist(new CancelRequested(DateTimeOffset.UtcNow), e =>
            {
                _state = _state.Apply(e);
                foreach (var (index, jobId) in _state.QueuedJobs())
                    if (!_ended.ContainsKey(index)) _jobs.Tell(new BuildJobCommands.Cancel(jobId));
                replyTo.Tell(View());
                Resume();
            });
        });

        Command<QueueNext>(_ => QueueOne());
        Command<Queued>(q => Persist(new BuildQueued(q.Index, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            if (_state.Cancelled) // cancelled while the queue was accepting it
                _jobs.Tell(new BuildJobCommands.Cancel(_state.Record!.Builds[q.Index].JobId!));
            QueueOne();
            EndIfAllEnded(); // a job can end (taking a result) before its acceptance is stored here
        }));
        Command<NotQueued>(n =>
        {
            _log.Warning("plan {0}: build {1} not queued yet ({2}); again in {3}", _planId, n.Index, n.Why, n.RetryIn);
            Timers.StartSingleTimer(nameof(QueueNext), new QueueNext(), n.RetryIn);
        });

        Command<Watch>(_ => WatchJobs());
        Command<Watched>(w =>
        {
            foreach (var (index, status) in w.Statuses)
                if (status.IsTerminal()) _ended[index] = status;
            if (_state.Ended) { CallWebhooks(); return; } // after a restart: the statuses for the payload
            if (EndIfAllEnded()) return;
            Timers.StartSingleTimer(nameof(Watch), new Watch(), WatchInterval);
        });
        // A job's end as it happens (the poll above is the fallback: a notice can be missed).
        Command<JobEnded>(n =>
        {
            if (!_state.Exists || _state.Ended || _state.Record!.Builds.FirstOrDefault(b => b.JobId == n.JobId) is not { } build) return;
            _ended[build.Index] = n.Status;
            EndIfAllEnded();
        });
        Command<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
        Command<WebhookSender.Outcome>(o => Persist(new WebhookDone(o.Delivery), e =>
        {
            _state = _state.Apply(e);
            if (!e.Delivery.Delivered) _log.Warning("plan {0}: webhook {1} not delivered: {2}", _planId, e.Delivery.Url, e.Delivery.Error);
        }));
        Command<ReceiveTimeout>(_ =>
        {
            if (_state.WebhooksToCall().Any()) return; // a delivery is still being tried
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
        Command<HandOff>(_ => Context.Stop(Self));
    }

    /// <summary>Every build queued and ended: record the plan's end (once: a later call finds it ended).</summary>
    private bool EndIfAllEnded()
    {
        if (_state.Ended || _ending || _state.NextToQueue() is not null || !PlanSummary.AllEnded(_state.Record!, _ended)) return false;
        _ending = true;
        Persist(new Ended(PlanSummary.Result(_state.Record!, _ended)!, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            _log.Info("plan {0}: every build has ended ({1})", _planId, e.Result);
            _watching = false;
            Unsubscribe();
            CallWebhooks();
            Timers.StartSingleTimer("passivate", ReceiveTimeout.Instance, PassivateAfter);
        });
        return true;
    }

    private void Unsubscribe()
    {
        if (!_notices.IsNobody()) _notices.Tell(new Akka.Cluster.Tools.PublishSubscribe.Unsubscribe(JobEnded.Topic, Self));
    }

    private PlanReplies.PlanView View() => new(_state.Record!);

    /// <summary>No such plan: say so and leave the shard (nothing is remembered for an id that names no plan).</summary>
    private void NotFound()
    {
        Sender.Tell(new PlanReplies.NotFound(_planId));
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    private void Resume()
    {
        if (!_state.Exists) return;
        if (!_state.Ended && !_subscribed && !_notices.IsNobody())
        {
            _subscribed = true;
            _notices.Tell(new Akka.Cluster.Tools.PublishSubscribe.Subscribe(JobEnded.Topic, Self));
        }
        if (!_queueing) { _queueing = true; Self.Tell(new QueueNext()); }
        if (!_watching && !_state.Ended) { _watching = true; Timers.StartSingleTimer(nameof(Watch), new Watch(), WatchInterval); }
        if (_state.Ended)
        {
            // those not delivered or given up when the node stopped, once the jobs' statuses are known again
            if (_state.WebhooksToCall().Any()) Self.Tell(new Watch());
            Timers.StartSingleTimer("passivate", ReceiveTimeout.Instance, PassivateAfter);
        }
    }

    /// <summary>Each webhook not yet delivered or given up, once, with the plan's outcome (the job's sender, the plan's payload).</summary>
    private void CallWebhooks()
    {
        var record = _state.Record!;
        foreach (var index in _state.WebhooksToCall())
        {
            var name = $"webhook-{index}";
            if (!Context.Child(name).IsNobody()) continue;
            var payload = PlanWebhookPayload.Build(record, _ended);
            Context.ActorOf(WebhookSender.Props("plan-" + _planId, index, record.Webhooks[index], PlanWebhookPayload.Event, payload,
                _settings.WebhookAttempts, _settings.WebhookBackoff, Webhooks.WebhookHttp.For(_settings).Client), name);
        }
    }

    private void QueueOne()
    {
        if (_state.NextToQueue() is not { } build) { _queueing = false; return; }
        var request = build.Request! with { SubmittedBy = _state.Record!.SubmittedBy };
        _queue.Ask<object>(new QueueCommands.Submit(build.JobId!, request, PlanState.QueueKey(_planId, build.Index)), _settings.AskTimeout)
            .PipeTo(Self,
                success: reply => reply switch
                {
                    QueueReplies.Accepted => new Queued(build.Index),
                    QueueReplies.QueueFull full => new NotQueued(build.Index, TimeSpan.FromSeconds(Math.Max(1, full.RetryAfterSeconds)), "the queue is full"),
                    _ => new NotQueued(build.Index, RetryAfter, $"unexpected reply {reply.GetType().Name}"),
                },
                failure: e => new NotQueued(build.Index, RetryAfter, e.GetBaseException().Message));
    }

    private void WatchJobs()
    {
        var jobs = _state.QueuedJobs().Where(j => !_ended.ContainsKey(j.Index)).ToList();
        var timeout = _settings.AskTimeout;
        var asks = jobs.Select(async j =>
        {
            try
            {
                var reply = await _jobs.Ask<object>(new BuildJobCommands.Get(j.JobId), timeout);
                return reply is BuildJobReplies.JobView v ? new KeyValuePair<int, JobStatus>?(new(j.Index, v.Job.Status)) : null;
            }
            catch (Exception) { return null; } // asked again next round
        });
        Task.WhenAll(asks).PipeTo(Self, success: results =>
            new Watched(results.OfType<KeyValuePair<int, JobStatus>>().ToDictionary(r => r.Key, r => r.Value)));
    }

    public static Props Props(string planId, FarmSettings settings, IActorRef queue, IActorRef jobs, IActorRef? notices = null) =>
        Akka.Actor.Props.Create(() => new PlanActor(planId, settings, queue, jobs, notices));
}
