using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Bisections.BisectionEvents;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// One bisection, hosted by Cluster Sharding with remember-entities (docs/bisection.md). It persists
/// each step (its job id decided) before queueing the job under an idempotency key, so a node that
/// dies in between restarts the bisection, which queues the step again and gets the same job back.
/// A step's job is watched until it ends; its facts (log, metadata.json) are read from storage and
/// judged (<see cref="BisectJudge"/>); <see cref="BisectionSearch"/> then decides the next round, the
/// jobs it supersedes, or the end.
/// </summary>
public sealed class BisectionActor : ReceivePersistentActor, IWithTimers
{
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PassivateAfter = TimeSpan.FromMinutes(2);
    /// <summary>A log or range file read for a verdict is cut here.</summary>
    public const int MaxFileBytes = 32 * 1024 * 1024;

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly string _id;
    private readonly FarmSettings _settings;
    private readonly IActorRef _queue, _jobs, _pool, _notices;
    private readonly ArtifactStore _store;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private BisectionState _state = BisectionState.Empty;

    /// <summary>Steps whose queueing or fact loading is under way, and jobs already told to cancel.</summary>
    private readonly HashSet<int> _queueing = [], _loading = [], _cancelled = [];
    /// <summary>Facts of ended steps waiting for the good commit's (their verdict compares with it).</summary>
    private readonly Dictionary<int, StepFacts> _waiting = [];
    private StepFacts? _baseline;
    private bool _watching, _subscribed, _advancing, _ending;

    private sealed record Queued(int Number);
    private sealed record NotQueued(int Number, TimeSpan RetryIn, string Why);
    private sealed record QueueAgain(int Number);
    private sealed record Watch;
    private sealed record JobsEnded(IReadOnlyList<JobRecord> Jobs);
    private sealed record Loaded(int Number, StepFacts Facts, string? Range, string? ListingMessage);
    private sealed record LoadFailed(int Number, string Why);
    private sealed record Advance;
    private sealed record Slots(int K);

    public override string PersistenceId => "bisection-" + _id;

    public BisectionActor(string id, FarmSettings settings, IActorRef queue, IActorRef jobs, IActorRef pool, IActorRef? notices = null)
    {
        _id = id;
        _settings = settings;
        _queue = queue;
        _jobs = jobs;
        _pool = pool;
        _notices = notices ?? ActorRefs.Nobody;
        _store = new ArtifactStore(settings.ArtifactStoragePath);

        Recover<IBisectionEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<BisectionCommands.Accept>(a =>
        {
            if (_state.Exists) { Sender.Tell(View()); return; }
            Persist(a.Bisection, e =>
            {
                _state = _state.Apply(e);
                Sender.Tell(View());
                Resume();
            });
        });
        Command<BisectionCommands.Get>(_ =>
        {
            if (_state.Exists) Sender.Tell(View());
            else NotFound();
        });
        Command<BisectionCommands.Cancel>(_ =>
        {
            if (!_state.Exists) { NotFound(); return; }
            if (_state.Ended) { Sender.Tell(View()); return; }
            var replyTo = Sender;
            Persist(new CancelRequested(DateTimeOffset.UtcNow), e =>
            {
                _state = _state.Apply(e);
                End(new BisectOutcome { Result = BisectOutcome.Cancelled, Message = "cancelled" }, () => replyTo.Tell(View()));
            });
        });

        Command<QueueAgain>(q => QueueStep(q.Number));
        Command<Queued>(q =>
        {
            _queueing.Remove(q.Number);
            if (_state.Step(q.Number) is not { Queued: false } step) return;
            Persist(new StepQueued(q.Number, DateTimeOffset.UtcNow), e =>
            {
                _state = _state.Apply(e);
                if (_state.Ended) Cancel(step); // ended while the queue was accepting it
            });
        });
        Command<NotQueued>(n =>
        {
            _queueing.Remove(n.Number);
            _log.Warning("bisection {0}: step {1} not queued yet ({2}); again in {3}", _id, n.Number, n.Why, n.RetryIn);
            Timers.StartSingleTimer("queue-" + n.Number, new QueueAgain(n.Number), n.RetryIn);
        });

        Command<Watch>(_ => WatchJobs());
        Command<JobEnded>(n =>
        {
            if (_state.Ended || _state.StepOfJob(n.JobId) is not { Verdict: null }) return;
            Self.Tell(new Watch()); // the poll asks every running step's job (this one included)
        });
        Command<JobsEnded>(e => { foreach (var job in e.Jobs) Load(job); });
        Command<Loaded>(OnLoaded);
        Command<LoadFailed>(f =>
        {
            _loading.Remove(f.Number);
            _log.Warning("bisection {0}: step {1}'s facts not read ({2}); again at the next watch", _id, f.Number, f.Why);
        });
        Command<Advance>(_ => AskSlots());
        Command<Slots>(s => { _advancing = false; Decide(s.K); });
        Command<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
        Command<WebhookSender.Outcome>(o => Persist(new WebhookDone(o.Delivery), e =>
        {
            _state = _state.Apply(e);
            if (!e.Delivery.Delivered) _log.Warning("bisection {0}: webhook {1} not delivered: {2}", _id, e.Delivery.Url, e.Delivery.Error);
        }));
        Command<ReceiveTimeout>(_ =>
        {
            if (_state.WebhooksToCall().Any()) return;
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
        Command<HandOff>(_ => Context.Stop(Self));
    }

    private BisectionRecord Record => _state.Record!;

    private void Resume()
    {
        if (!_state.Exists) return;
        if (_state.Ended)
        {
            CallWebhooks();
            Timers.StartSingleTimer("passivate", ReceiveTimeout.Instance, PassivateAfter);
            return;
        }
        if (!_subscribed && !_notices.IsNobody())
        {
            _subscribed = true;
            _notices.Tell(new Akka.Cluster.Tools.PublishSubscribe.Subscribe(JobEnded.Topic, Self));
        }
        if (!_watching) { _watching = true; Timers.StartPeriodicTimer(nameof(Watch), new Watch(), WatchInterval); }
        if (_state.Cancelled) { End(new BisectOutcome { Result = BisectOutcome.Cancelled, Message = "cancelled" }); return; }
        if (Record.Steps.Count == 0)
        {
            // The first step lists the range: good and bad resolved on a build server, from its mirror.
            Plan([new BisectionSearch.Probe(StepRole.List, -1)], 0);
            return;
        }
        foreach (var step in _state.ToQueue()) QueueStep(step.Number);
        Self.Tell(new Advance());
    }

    /// <summary>Persists the steps (their job ids decided), then queues their jobs.</summary>
    private void Plan(IReadOnlyList<BisectionSearch.Probe> probes, int round)
    {
        var number = _state.NextStepNumber;
        var events = probes.Select(p => new StepPlanned(number++, round, p.Role, p.Role == StepRole.List ? null : p.Index,
            Guid.CreateVersion7().ToString(), DateTimeOffset.UtcNow)).ToList();
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            QueueStep(e.Number);
        });
    }

    private void QueueStep(int number)
    {
        if (_state.Ended || _state.Step(number) is not { Queued: false } step || !_queueing.Add(number)) return;
        var request = StepRequests.For(Record, step);
        _queue.Ask<object>(new QueueCommands.Submit(step.JobId, request, BisectionState.QueueKey(_id, number)), _settings.AskTimeout)
            .PipeTo(Self,
                success: reply => reply switch
                {
                    QueueReplies.Accepted => new Queued(number),
                    QueueReplies.QueueFull full => new NotQueued(number, TimeSpan.FromSeconds(Math.Max(1, full.RetryAfterSeconds)), "the queue is full"),
                    _ => new NotQueued(number, RetryAfter, $"unexpected reply {reply.GetType().Name}"),
                },
                failure: e => new NotQueued(number, RetryAfter, e.GetBaseException().Message));
    }

    private void WatchJobs()
    {
        if (_state.Ended) return;
        var running = _state.Running().Where(s => !_loading.Contains(s.Number)).ToList();
        if (running.Count == 0) return;
        var timeout = _settings.AskTimeout;
        var asks = running.Select(async s =>
        {
            try
            {
                return await _jobs.Ask<object>(new BuildJobCommands.Get(s.JobId), timeout) is BuildJobReplies.JobView { Job.Status: var status } v
                    && status.IsTerminal() ? v.Job : null;
            }
            catch (Exception) { return null; } // asked again at the next watch
        });
        Task.WhenAll(asks).PipeTo(Self, success: jobs => new JobsEnded(jobs.OfType<JobRecord>().ToList()));
    }

    /// <summary>Reads an ended step's facts from storage, off the mailbox.</summary>
    private void Load(JobRecord job)
    {
        if (_state.StepOfJob(job.Id) is not { } step || !_loading.Add(step.Number)) return;
        if (step.Verdict is not null && !(step.Role == StepRole.Good && _baseline is null)) { _loading.Remove(step.Number); return; }
        var store = _store;
        Task.Run(() =>
        {
            var log = ReadCapped(store.LogPathFor(job.Id, job.ArtifactDirectory));
            var metadata = job.ArtifactDirectory is { } dir ? ReadCapped(Path.Combine(dir, "metadata.json")) : null;
            var facts = StepFacts.Of(job, log, metadata);
            if (step.Role != StepRole.List) return new Loaded(step.Number, facts, null, null);
            var range = job.Status == JobStatus.Completed && job.ArtifactDirectory is { } d ? ReadCapped(Path.Combine(d, RangeFile.ArtifactPath)) : null;
            var said = (log ?? "").Split('\n').Where(l => l.StartsWith(Execution.RangeListingScript.Prefix, StringComparison.Ordinal))
                .Select(l => l[Execution.RangeListingScript.Prefix.Length..].Trim()).LastOrDefault();
            return new Loaded(step.Number, facts, range, said);
        }).PipeTo(Self, failure: e => new LoadFailed(step.Number, e.GetBaseException().Message));
    }

    private void OnLoaded(Loaded l)
    {
        _loading.Remove(l.Number);
        if (_state.Ended || _state.Step(l.Number) is not { } step) return;
        if (step.Role == StepRole.List) { OnListed(step, l); return; }
        if (step.Role == StepRole.Good) _baseline = l.Facts;
        if (step.Verdict is not null) { JudgeWaiting(); return; } // the good commit's facts again, after a restart

        var judgement = _cancelled.Contains(step.Number) && l.Facts.Status == JobStatus.Cancelled
            ? new BisectJudge.Judgement(Verdict.Superseded, "the search moved past this commit: its job was cancelled", [])
            : BisectJudge.Judge(Record.Request.Criterion, l.Facts, step.Role == StepRole.Good ? l.Facts : _baseline);
        if (judgement is null)
        {
            _waiting[step.Number] = l.Facts;
            // After a restart the good commit may be judged already: read its facts again.
            if (Record.Steps.FirstOrDefault(s => s.Role == StepRole.Good) is { Verdict: not null } good
                && _baseline is null)
                _jobs.Ask<object>(new BuildJobCommands.Get(good.JobId), _settings.AskTimeout)
                    .PipeTo(Self, success: r => r is BuildJobReplies.JobView v ? new JobsEnded([v.Job]) : new JobsEnded([]), failure: _ => new JobsEnded([]));
            return;
        }
        Persist(Judged(step, judgement, l.Facts), e =>
        {
            _state = _state.Apply(e);
            if (step.Role == StepRole.Good) JudgeWaiting();
            Self.Tell(new Advance());
        });
    }

    private void JudgeWaiting()
    {
        if (_baseline is null) return;
        foreach (var (number, facts) in _waiting.ToList())
        {
            _waiting.Remove(number);
            if (_state.Step(number) is not { Verdict: null } step) continue;
            if (BisectJudge.Judge(Record.Request.Criterion, facts, _baseline) is not { } judgement) continue;
            Persist(Judged(step, judgement, facts), e => { _state = _state.Apply(e); Self.Tell(new Advance()); });
        }
    }

    private static StepJudged Judged(BisectStep step, BisectJudge.Judgement j, StepFacts f) =>
        new(step.Number, j.Verdict, j.Detail, j.Excerpt, f.DurationS, f.Server, f.Reused, DateTimeOffset.UtcNow);

    private void OnListed(BisectStep step, Loaded l)
    {
        if (step.Verdict is not null) return;
        var (commits, error) = l.Range is { } text ? RangeFile.Parse(text) : (null, null);
        if (commits is not null)
        {
            var listed = new RangeListed(commits, DateTimeOffset.UtcNow);
            var judged = new StepJudged(step.Number, Verdict.Good, $"{commits.Count - 1} first-parent commits after the good one", [],
                l.Facts.DurationS, l.Facts.Server, false, DateTimeOffset.UtcNow);
            PersistAll(new IBisectionEvent[] { listed, judged }, e =>
            {
                _state = _state.Apply(e);
                if (e is StepJudged) Self.Tell(new Advance());
            });
            return;
        }
        var why = l.ListingMessage ?? error ?? l.Facts.Failure?.Message ?? $"the listing job ended {l.Facts.Status.ToString().ToLowerInvariant()}";
        Persist(new StepJudged(step.Number, Verdict.Skip, why, l.Facts.LogTail, l.Facts.DurationS, l.Facts.Server, false, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            End(new BisectOutcome { Result = BisectOutcome.Failed, Message = "the range could not be listed: " + why, Excerpt = l.Facts.LogTail });
        });
    }

    private void AskSlots()
    {
        if (_state.Ended || !_state.Listed || _advancing) return;
        _advancing = true;
        if (Record.Request.MaxParallel is { } k) { Self.Tell(new Slots(k)); return; }
        var arch = Record.Request.Template.TargetArchitecture;
        var own = Record.Steps.Select(s => s.JobId).ToHashSet(StringComparer.Ordinal);
        _pool.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, _settings.AskTimeout)
            .PipeTo(Self, success: list => new Slots(BisectSlots.Free(list.Servers, arch, own)), failure: _ => new Slots(1));
    }

    private void Decide(int k)
    {
        if (_state.Ended || _ending) return;
        var decision = BisectionSearch.Decide(Record, k);
        foreach (var number in decision.Supersede)
            if (_state.Step(number) is { } step && _cancelled.Add(number)) Cancel(step);
        if (decision.End is { } outcome) { End(outcome); return; }
        if (decision.Queue.Count > 0)
        {
            _log.Info("bisection {0}: round {1} tests {2}", _id, decision.Round, string.Join(", ", decision.Queue.Select(p => $"{p.Role.ToString().ToLowerInvariant()} #{p.Index}")));
            Plan(decision.Queue, decision.Round);
        }
    }

    private void Cancel(BisectStep step) => _jobs.Tell(new BuildJobCommands.Cancel(step.JobId));

    private void End(BisectOutcome outcome, Action? then = null)
    {
        if (_ending) { then?.Invoke(); return; }
        _ending = true;
        foreach (var step in _state.Running()) if (_cancelled.Add(step.Number)) Cancel(step);
        Persist(new BisectionEvents.Ended(outcome, DateTimeOffset.UtcNow), e =>
        {
            _state = _state.Apply(e);
            _log.Info("bisection {0}: {1} ({2})", _id, e.Outcome.Result, e.Outcome.Message);
            Timers.Cancel(nameof(Watch));
            _watching = false;
            if (_subscribed) _notices.Tell(new Akka.Cluster.Tools.PublishSubscribe.Unsubscribe(JobEnded.Topic, Self));
            then?.Invoke();
            CallWebhooks();
            Timers.StartSingleTimer("passivate", ReceiveTimeout.Instance, PassivateAfter);
        });
    }

    private void CallWebhooks()
    {
        foreach (var index in _state.WebhooksToCall())
        {
            var name = $"webhook-{index}";
            if (!Context.Child(name).IsNobody()) continue;
            Context.ActorOf(WebhookSender.Props("bisection-" + _id, index, Record.Webhooks[index], BisectionWebhookPayload.Event,
                BisectionWebhookPayload.Build(Record), _settings.WebhookAttempts, _settings.WebhookBackoff,
                Webhooks.WebhookHttp.For(_settings).Client), name);
        }
    }

    /// <summary>The bisection without its range (a cluster message stays small): the commits its steps and window name come along.</summary>
    private BisectionReplies.View View()
    {
        var r = Record;
        var window = r.Commits.Count > 0 ? BisectionSearch.WindowOf(r.Commits.Count - 1, r.Steps.Where(s => s.Role != StepRole.List)) : null;
        var named = r.Steps.Where(s => s.Index is not null).Select(s => s.Index!.Value)
            .Concat(window is null ? [] : [window.Lo, window.Hi])
            .Concat(r.Commits.Count == 0 ? [] : BisectionSearch.Rounds(r.Commits.Count - 1, r.Steps).SelectMany(x => new[] { x.Window.Lo, x.Window.Hi }))
            .Distinct().Where(i => i >= 0 && i < r.Commits.Count).Order().Select(i => r.Commits[i]).ToList();
        return new BisectionReplies.View(r with { Commits = [] }, named);
    }

    private void NotFound()
    {
        Sender.Tell(new BisectionReplies.NotFound(_id));
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    /// <summary>A missing file is null; another I/O error fails the load, which the next watch tries again.</summary>
    private static string? ReadCapped(string path) => CappedFile.Read(path, MaxFileBytes);

    public static Props Props(string id, FarmSettings settings, IActorRef queue, IActorRef jobs, IActorRef pool, IActorRef? notices = null) =>
        Akka.Actor.Props.Create(() => new BisectionActor(id, settings, queue, jobs, pool, notices));
}
