using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Storage;
using KernelFarm.Actors.Telemetry;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Jobs.JobEffect;
using static KernelFarm.Actors.Jobs.JobInputs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// One job's supervisor, hosted by Cluster Sharding with remember-entities. A thin coordinator over
/// <see cref="JobProcess"/>: every message becomes an input, the process decides, the actor persists
/// the events, applies them and carries out the effects (SSH session, log stream, publication,
/// timers, queue and pool, webhooks, the KCIDB push). After a crash or a move to another node it re-attaches to the
/// detached build through the workspace's pid and exit files.
/// </summary>
public sealed class BuildJobActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private static readonly TimeSpan PassivateAfter = TimeSpan.FromMinutes(2);

    private readonly string _jobId;
    private readonly FarmSettings _settings;
    private readonly ArtifactStore _store;
    private readonly IActorRef _queue, _pool;
    /// <summary>This node's job index (completed builds by reuse key); Nobody turns result reuse off.</summary>
    private readonly IActorRef _index;
    /// <summary>The cluster's publish-subscribe mediator: the job's end is announced there (<see cref="JobEnded"/>); Nobody: not announced.</summary>
    private readonly IActorRef _announce;
    private readonly ISshSessionFactory _sessions;
    private readonly JobProcess _process;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobState _state = JobState.Empty;
    private JobRun _run = JobRun.Fresh;
    private IActorRef _session = ActorRefs.Nobody, _stream = ActorRefs.Nobody, _transfer = ActorRefs.Nobody;
    private int _sessionsOpened;

    public BuildJobActor(string jobId, FarmSettings settings, IActorRef queue, IActorRef pool, ISshSessionFactory sessions, IActorRef? index = null,
        IActorRef? announce = null)
    {
        _index = index ?? ActorRefs.Nobody;
        _announce = announce ?? ActorRefs.Nobody;
        _jobId = jobId;
        _settings = settings;
        _store = new ArtifactStore(settings.ArtifactStoragePath);
        _queue = queue;
        _pool = pool;
        _sessions = sessions;
        _process = new JobProcess(jobId, settings);

        Recover<IJobEvent>(e => _state = _state.Apply(e));
        // Resume right here: a message to self would run after the stashed commands that started us.
        Recover<RecoveryCompleted>(_ => Handle(new Recovered()));

        Command<SshSessionActor.RunResult>(r =>
        {
            if (ParseTag(r.Tag) is not var (call, attempt)) return;
            if (call == RemoteCall.Abandon) { Context.Stop(Sender); return; }
            Handle(call == RemoteCall.Launch
                ? new LaunchAnswered(attempt, r.Result, LiveLogLength())
                : new RemoteAnswered(call, attempt, r.Result));
        });
        Command<Hosting.HandOff>(_ => Context.Stop(Self)); // the shard moves: stop once what is being persisted is stored
        Command<SshSessionActor.RunFailed>(f =>
        {
            if (ParseTag(f.Tag) is not var (call, attempt)) return;
            if (call == RemoteCall.Abandon) { Context.Stop(Sender); return; } // unreachable: the workspace stays; the operator sees the failed attempt
            Handle(new RemoteFailed(call, attempt, f.Error));
        });
        // A stopped stream's or transfer's last words are not this job's news any more.
        Command<LogStreamActor.StepObserved>(m => FromCurrent(_stream, m));
        Command<LogStreamActor.Ended>(m => FromCurrent(_stream, m));
        Command<LogStreamActor.Broken>(m => FromCurrent(_stream, m));
        Command<LogStreamActor.StorageFailed>(m => FromCurrent(_stream, m));
        Command<LogStreamActor.LimitReached>(m => FromCurrent(_stream, m));
        Command<ArtifactTransferActor.Completed>(m => FromCurrent(_transfer, m));
        Command<ArtifactTransferActor.Failed>(m => FromCurrent(_transfer, m));
        Command<ReceiveTimeout>(_ => Handle(new Idle()));
        CommandAny(Handle);
    }

    public override string PersistenceId => "job-" + _jobId;

    private void FromCurrent(IActorRef child, object message)
    {
        if (Sender.Equals(child)) Handle(message);
    }

    private void Handle(object input)
    {
        var decision = _process.Decide(_state, _run, input, DateTimeOffset.UtcNow, Sender);
        _run = decision.Run;
        var replyTo = Sender;
        if (decision.Events.Count == 0) { CarryOut(decision, replyTo); return; }
        var left = decision.Events.Count;
        // Untagged: the index reads every event in order (LegacyJobTags says why tags would cost).
        PersistAll(decision.Events, e =>
        {
            JobTelemetry.Record(_state, e);
            var wasTerminal = _state.Status.IsTerminal();
            _state = _state.Apply(e);
            if (!wasTerminal && _state.Status.IsTerminal() && !_announce.IsNobody())
                _announce.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(JobEnded.Topic, new JobEnded(_jobId, _state.Status)));
            if (--left == 0) CarryOut(decision, replyTo);
        });
    }

    private void CarryOut(JobDecision decision, IActorRef replyTo)
    {
        if (decision.Reply is { } reply) replyTo.Tell(Render(reply));
        string? webhookPayload = null;
        foreach (var effect in decision.Effects)
        {
            switch (effect)
            {
                case RunRemote r:
                    Session().Tell(new SshSessionActor.Run(r.Command, Tag(r.Call, _state.Attempt), r.Timeout, r.Input));
                    break;
                case StopSession:
                    if (!_session.IsNobody()) Context.Stop(_session);
                    _session = ActorRefs.Nobody;
                    break;
                case Abandon a:
                    var abandoned = Context.ActorOf(_sessions.SessionFor(a.Server, _settings.SshConnectTimeout), $"abandon-{++_sessionsOpened}");
                    abandoned.Tell(new SshSessionActor.Run(a.Command, Tag(RemoteCall.Abandon, _state.Attempt),
                        _settings.SshConnectTimeout + _settings.CancelGracePeriod + TimeSpan.FromSeconds(30)));
                    break;
                case StartLogStream:
                    StopStream();
                    _stream = Context.ActorOf(LogStreamActor.Props(Session(), _state.Workspace!, _state.ProcessGroup!.Value, _store.LiveLogPath(_jobId),
                        _state.LogBase, _state.Request!.BuildConfig.SecretValues, _settings.Limits.MaxLogBytes));
                    break;
                case StopLogStream:
                    StopStream();
                    break;
                case Publish p:
                    _transfer = Context.ActorOf(Publication.Props(_jobId, _state, Record(), p, Session(), _store, _settings), $"transfer-{Guid.NewGuid():N}");
                    break;
                case StartTimer { Periodic: true } t:
                    Timers.StartPeriodicTimer(t.Timer, new TimerFired(t.Timer), t.Delay);
                    break;
                case StartTimer t:
                    Timers.StartSingleTimer(t.Timer, new TimerFired(t.Timer), t.Delay);
                    break;
                case CancelTimer t:
                    Timers.Cancel(t.Timer);
                    break;
                case LookUpResult: LookUpResultAsync(_state.Request!).PipeTo(Self); break;
                case CopyResult c:
                    var request = _state.Request!;
                    Task.Run<object>(() => CopyResult(request, c)).PipeTo(Self);
                    break;
                case TellQueue q: _queue.Tell(q.Message); break;
                case TellPool p: _pool.Tell(p.Message); break;
                case Answer a: a.To.Tell(Render(a.Reply)); break;
                case AnswerQueue a: _queue.Tell(Render(a.Reply)); break;
                case CallWebhook w:
                    var hook = _state.Request!.Webhooks[w.Index];
                    webhookPayload ??= WebhookPayload.Build(Record());
                    Context.ActorOf(WebhookSender.Props(_jobId, w.Index, hook, WebhookPayload.EventOf(_state.Status), webhookPayload,
                        _settings.WebhookAttempts, _settings.WebhookBackoff, Webhooks.WebhookHttp.For(_settings).Client), $"webhook-{w.Index}");
                    break;
                case PushKcidb:
                    Context.ActorOf(Kcidb.KcidbSender.Props(Record(), _settings.Kcidb, _settings.WebhookAttempts, _settings.WebhookBackoff), "kcidb-push");
                    break;
                case PassivateWhenIdle: SetReceiveTimeout(PassivateAfter); break;
                case JobEffect.Passivate: Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(Hosting.HandOff.Instance)); break;
                case Log l: _log.Log(l.Level, null, "{0}", l.Message); break;
            }
        }
    }

    /// <summary>The compilers the job could run on the servers, each a reuse key, and the newest completed job with one of them.</summary>
    private async Task<object> LookUpResultAsync(BuildJobRequest request)
    {
        if (_index.IsNobody()) return new ResultLookedUp(null, null);
        try
        {
            var timeout = TimeSpan.FromSeconds(5);
            var c = request.BuildConfig;
            var compilers = await _pool.Ask<ServerPoolReplies.CompilerIdentities>(
                new ServerPoolCommands.Compilers(request.TargetArchitecture, request.Toolchain!, c.WorkspaceRoot, c.BuildDirectory), timeout);
            var keys = compilers.Identities.Select(i => Reuse.ReuseKey.Of(request, i)).OfType<string>().ToList();
            if (keys.Count == 0) return new ResultLookedUp(null, null);
            var found = await _index.Ask<JobIndexActor.ResultFound>(new JobIndexActor.FindResult(keys), timeout);
            return new ResultLookedUp(found.Source, found.Source?.ReuseKey);
        }
        catch (Exception e)
        {
            return new ResultLookedUp(null, null, e.GetBaseException().Message);
        }
    }

    private object CopyResult(BuildJobRequest request, CopyResult c)
    {
        var output = request.BuildConfig.OutputDirectory;
        if (output is not null && OutputDirectoryRule.Check(output, _settings.ArtifactStoragePath, _settings.EffectiveOutputRoots) is { } refused)
            return new ResultCopyFailed($"output_directory {output} is refused: {refused}");
        try
        {
            var result = Reuse.ResultCopy.Publish(ArtifactStore.RootFor(output, _settings.ArtifactStoragePath), _jobId, c.Source);
            return new ResultCopied(c.Source.Id, c.Key, result.Directory, result.Artifacts, c.Source.Boot, c.Source.Diagnostics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return new ResultCopyFailed(e.Message);
        }
    }

    private object Render(JobReply reply) => reply switch
    {
        JobReply.View => new BuildJobReplies.JobView(Record()),
        JobReply.Created => new BuildJobReplies.Created(Record()),
        JobReply.Started s => new BuildJobReplies.Started(_jobId, s.Attempt),
        JobReply.NotFound => new BuildJobReplies.NotFound(_jobId),
        JobReply.AlreadyFinished => new BuildJobReplies.AlreadyFinished(Record()),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    private JobRecord Record() => _state.ToRecord(_store.LogPathFor(_jobId, _state.ArtifactDirectory));

    /// <summary>The attempt's session, opened on first use from the injected factory.</summary>
    private IActorRef Session()
    {
        if (!_session.IsNobody()) return _session;
        _session = Context.ActorOf(_sessions.SessionFor(_state.Placement!.Server, _settings.SshConnectTimeout), $"ssh-{_state.Attempt}-{++_sessionsOpened}");
        return _session;
    }

    private void StopStream()
    {
        if (!_stream.IsNobody()) Context.Stop(_stream);
        _stream = ActorRefs.Nobody;
    }

    private long LiveLogLength()
    {
        var path = _store.LiveLogPath(_jobId);
        return File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    /// <summary>A remote call's tag names the call and the attempt, so an answer from an abandoned attempt is told apart.</summary>
    private static string Tag(RemoteCall call, int attempt) => $"{call}:{attempt}";

    private static (RemoteCall, int)? ParseTag(string tag)
    {
        var parts = tag.Split(':');
        return parts.Length == 2 && Enum.TryParse<RemoteCall>(parts[0], out var call) && int.TryParse(parts[1], out var attempt)
            ? (call, attempt)
            : null;
    }

    public static Props Props(string jobId, FarmSettings settings, IActorRef queue, IActorRef pool, ISshSessionFactory? sessions = null, IActorRef? index = null,
        IActorRef? announce = null) =>
        Akka.Actor.Props.Create(() => new BuildJobActor(jobId, settings, queue, pool, sessions ?? SshSessionFactory.Real, index, announce));
}
