using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Storage;
using KernelFarm.Actors.Telemetry;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// One job's supervisor, hosted by Cluster Sharding with remember-entities: owns the job's state
/// machine and persists every transition. Each remote step runs in a child (SSH session, log
/// stream, artifact transfer). After a crash or a move to another node it re-attaches to the
/// detached build through the workspace's pid and exit files.
/// </summary>
public sealed class BuildJobActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private const string LaunchTag = "launch", StatusTag = "status", KillTag = "kill", CleanupTag = "cleanup", BootTag = "boot";
    private static readonly TimeSpan PassivateAfter = TimeSpan.FromMinutes(2);
    private sealed record RetryStream;
    private sealed record TimeLimitReached;
    private sealed record ResendRequeue;
    private sealed record ResendReleases;
    private sealed record RecallTimedOut;

    private readonly string _jobId;
    private readonly FarmSettings _settings;
    private readonly ArtifactStore _store;
    private readonly IActorRef _queue, _pool;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobState _state = JobState.Empty;
    private IActorRef _session = ActorRefs.Nobody, _stream = ActorRefs.Nobody;
    private int _streamRetries;
    /// <summary>The log was read to its end after the build's process group was gone.</summary>
    private bool _drained;
    private JobFailure? _pendingFailure;
    /// <summary>Servers whose slot this job gave back but the pool has not acknowledged yet.</summary>
    private readonly HashSet<string> _unreleased = new(StringComparer.Ordinal);
    /// <summary>Webhooks (by index) being delivered by a child right now.</summary>
    private readonly HashSet<int> _delivering = [];
    /// <summary>GETs and cancels that arrived before Created, waiting for the queue's <see cref="QueueReplies.Recalled"/>.</summary>
    private readonly List<(object Command, IActorRef Sender)> _awaitingRecall = [];

    public BuildJobActor(string jobId, FarmSettings settings, IActorRef queue, IActorRef pool)
    {
        _jobId = jobId;
        _settings = settings;
        _store = new ArtifactStore(settings.ArtifactStoragePath);
        _queue = queue;
        _pool = pool;

        Recover<IJobEvent>(e => _state = _state.Apply(e));
        // Resume right here: a message to self would run after the stashed commands that started us.
        Recover<RecoveryCompleted>(_ => ResumeAfterRecovery());

        Command<BuildJobCommands.Get>(g =>
        {
            if (_state.Exists) Sender.Tell(new BuildJobReplies.JobView(Record()));
            else AwaitRecall(g);
        });
        Command<Hosting.HandOff>(_ => Context.Stop(Self)); // the shard moves: stop once what is being persisted is stored
        Command<BuildJobCommands.Create>(OnCreate);
        Command<BuildJobCommands.Start>(OnStart);
        Command<BuildJobCommands.Cancel>(c =>
        {
            if (_state.Exists) Cancel(Sender);
            else AwaitRecall(c);
        });
        Command<QueueReplies.Recalled>(OnRecalled);
        Command<RecallTimedOut>(_ => AnswerRecalled());

        Command<SshSessionActor.RunResult>(r => r.Tag == LaunchTag, OnLaunched);
        Command<SshSessionActor.RunResult>(r => r.Tag == StatusTag, OnStatus);
        // After a kill: a timeout still publishes the log; a cancel just cleans up.
        Command<SshSessionActor.RunResult>(r => r.Tag == KillTag, _ => { if (_pendingFailure is not null) Transfer(includeArtifacts: false); else Cleanup(); });
        Command<SshSessionActor.RunResult>(r => r.Tag == CleanupTag, _ => FinishAfterCleanup());
        Command<SshSessionActor.RunResult>(r => r.Tag == BootTag, OnBootResult);
        Command<SshSessionActor.RunFailed>(OnRemoteFailure);

        Command<LogStreamActor.StepObserved>(OnStepObserved);
        Command<LogStreamActor.Ended>(_ => { StopStream(); _drained = true; _session.Tell(new SshSessionActor.Run(RemoteCommands.Status(_state.Workspace!), StatusTag)); });
        Command<LogStreamActor.Broken>(b =>
        {
            StopStream();
            if (++_streamRetries > _settings.ReattachAttempts) { FailInfrastructure(Step(), $"lost the server: {b.Error}"); return; }
            _log.Warning("job {0}: log stream broke ({1}); re-attaching", _jobId, b.Error);
            Timers.StartSingleTimer("retry", new RetryStream(), _settings.ReattachDelay);
        });
        Command<LogStreamActor.StorageFailed>(f =>
        {
            StopStream();
            if (_state.Status.IsOnServer() && !_state.CancelRequested && _pendingFailure is null)
                FailInfrastructure(Step(), "storage: " + f.Error, retryable: false);
        });
        Command<LogStreamActor.LimitReached>(l => StopBuild(new JobFailure(FailureKind.Limit, Step(), null, l.Error)));
        Command<RetryStream>(_ => { if (_state.Status.IsOnServer() && !_state.CancelRequested && _pendingFailure is null) CheckRemoteStatus(); });
        Command<TimeLimitReached>(_ => OnTimeLimit());

        Command<ArtifactTransferActor.Completed>(OnTransferred);
        Command<ArtifactTransferActor.Failed>(f =>
        {
            if (_pendingFailure is not null)
            {   // the log-only publication of a failed job failed too: record the original failure
                var failure = _pendingFailure with { Message = _pendingFailure.Message + $" (log not published: {f.Error})" };
                _pendingFailure = null;
                PersistEvent(new Failed(failure, null, DateTimeOffset.UtcNow), Cleanup);
                return;
            }
            if (f.Limit)
            {   // the job's own output broke a storage limit: not retried, nothing published
                _log.Warning("job {0}: storage limit in transferring: {1}", _jobId, f.Error);
                PersistEvent(new Failed(new JobFailure(FailureKind.Limit, "transferring", null, f.Error), null, DateTimeOffset.UtcNow), Cleanup);
                return;
            }
            // Central storage is not the server's fault: another server would not help.
            FailInfrastructure("transferring", f.Storage ? $"storage: {f.Error}" : f.Error, retryable: !f.Storage);
        });
        Command<ResendRequeue>(_ =>
        {
            if (_state.Status == JobStatus.Queued && _state.Attempt > 0 && !_state.CancelRequested) SendRequeue();
            else Timers.Cancel("requeue");
        });
        Command<QueueReplies.Requeued>(r => { if (r.Attempt > _state.Attempt) Timers.Cancel("requeue"); });
        Command<ResendReleases>(_ =>
        {
            foreach (var server in _unreleased) _pool.Tell(new ServerPoolCommands.Release(_jobId, server));
        });
        Command<ServerPoolReplies.Released>(r =>
        {
            if (r.ServerId is not null) _unreleased.Remove(r.ServerId);
            if (_unreleased.Count == 0) Timers.Cancel("release");
        });
        Command<WebhookSender.Outcome>(o =>
        {
            _delivering.Remove(o.Delivery.Index);
            var d = o.Delivery;
            if (d.Delivered) _log.Info("job {0}: webhook {1} delivered after {2} attempt(s), HTTP {3}", _jobId, d.Index, d.Attempts, d.HttpStatus);
            else _log.Warning("job {0}: webhook {1} given up after {2} attempt(s): {3}", _jobId, d.Index, d.Attempts, d.Error);
            PersistEvent(new WebhookDone(d));
        });
        Command<ReceiveTimeout>(_ =>
        {
            // Not while a release is unacknowledged or a webhook is on its way: passivation would forget them.
            if ((_state.Status.IsTerminal() || !_state.Exists) && _unreleased.Count == 0 && _delivering.Count == 0)
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
    }

    public override string PersistenceId => "job-" + _jobId;

    private JobRecord Record() => _state.ToRecord(_store.LogPathFor(_jobId, _state.ArtifactDirectory));

    private void Apply(IJobEvent e) => _state = _state.Apply(e);

    private void PersistEvent(IJobEvent e, Action? then = null) =>
        Persist(new Akka.Persistence.Journal.Tagged(e, [JobIndexActor.Tag]), _ => { JobTelemetry.Record(_state, e); Apply(e); then?.Invoke(); });

    // ---- commands -------------------------------------------------------------------------

    private void OnCreate(BuildJobCommands.Create c)
    {
        if (_state.Exists) { Sender.Tell(new BuildJobReplies.Created(Record())); return; }
        var sender = Sender;
        PersistEvent(new Created(c.JobId, c.Request, c.At), () => sender.Tell(new BuildJobReplies.Created(Record())));
    }

    private void OnStart(BuildJobCommands.Start s)
    {
        var sender = Sender;
        if (!_state.Exists || _state.Status.IsTerminal() || _state.CancelRequested)
        {   // cancelled while the queue placed it: give the slot back
            ReleaseSlot(s.Placement.Server.Id);
            sender.Tell(new BuildJobReplies.Started(_jobId, s.Attempt));
            return;
        }
        if (_state.Attempt >= s.Attempt) { sender.Tell(new BuildJobReplies.Started(_jobId, s.Attempt)); return; }
        Timers.Cancel("requeue"); // the retry was placed
        var workspace = BuildPlan.WorkspaceFor(_jobId, _state.Request!.BuildConfig, s.Placement.Server.WorkspaceRoot);
        PersistEvent(new Assigned(s.Placement, workspace, s.Attempt, DateTimeOffset.UtcNow), () =>
        {
            sender.Tell(new BuildJobReplies.Started(_jobId, s.Attempt));
            _log.Info("job {0}: assigned to {1} ({2}), workspace {3}", _jobId, s.Placement.Server.Id, s.Placement.Toolchain.Name, workspace);
            PersistEvent(new StepStarted(JobStatus.Preparing, DateTimeOffset.UtcNow), Launch);
        });
    }

    /// <summary>
    /// A GET or cancel for a job with no Created event: the client may have been answered 202 by
    /// the queue before the queue's Create reached this actor, so ask the queue for the submission
    /// (once for all such commands) and answer them when it replies.
    /// </summary>
    private void AwaitRecall(object command)
    {
        _awaitingRecall.Add((command, Sender));
        if (_awaitingRecall.Count > 1) return;
        _queue.Tell(new QueueCommands.Recall(_jobId));
        Timers.StartSingleTimer("recall", new RecallTimedOut(), _settings.AskTimeout / 2);
    }

    private void OnRecalled(QueueReplies.Recalled r)
    {
        if (r.JobId != _jobId || _awaitingRecall.Count == 0) return;
        if (r.Request is null || _state.Exists) { AnswerRecalled(); return; }
        PersistEvent(new Created(_jobId, r.Request, r.At), () =>
        {
            _queue.Tell(new BuildJobReplies.Created(Record())); // the queue stops re-sending Create
            AnswerRecalled();
        });
    }

    /// <summary>Answers the commands that waited for the queue (or for its timeout): now the job exists or it never will.</summary>
    private void AnswerRecalled()
    {
        Timers.Cancel("recall");
        var waiting = _awaitingRecall.ToList();
        _awaitingRecall.Clear();
        foreach (var (command, sender) in waiting)
        {
            if (!_state.Exists) sender.Tell(new BuildJobReplies.NotFound(_jobId));
            else if (command is BuildJobCommands.Cancel) Cancel(sender);
            else sender.Tell(new BuildJobReplies.JobView(Record()));
        }
        if (!_state.Exists) SetReceiveTimeout(PassivateAfter);
    }

    private void Cancel(IActorRef sender)
    {
        if (_state.Status.IsTerminal()) { sender.Tell(new BuildJobReplies.AlreadyFinished(Record())); return; }
        if (_state.Status == JobStatus.Queued)
        {
            PersistEvent(new Cancelled(DateTimeOffset.UtcNow), () =>
            {
                _queue.Tell(new QueueCommands.Withdraw(_jobId));
                sender.Tell(new BuildJobReplies.JobView(Record()));
                CallWebhooks(); // a job cancelled before it ran has ended too: its "cancelled" webhooks go out
                SetReceiveTimeout(PassivateAfter);
            });
            return;
        }
        if (_state.CancelRequested) { sender.Tell(new BuildJobReplies.JobView(Record())); return; }
        PersistEvent(new CancelRequested(DateTimeOffset.UtcNow), () =>
        {
            sender.Tell(new BuildJobReplies.JobView(Record()));
            KillRemote();
        });
    }

    // ---- execution ------------------------------------------------------------------------

    private void ResumeAfterRecovery()
    {
        if (!_state.Exists || _state.Status.IsTerminal())
        {   // the node may have died between the last event and the release of the slot
            if (_state.Placement is { } last) ReleaseSlot(last.Server.Id);
            CallWebhooks(); // those not yet delivered or given up when the node stopped
            SetReceiveTimeout(PassivateAfter);
            return;
        }
        if (_state.Status == JobStatus.Queued)
        {   // the queue owns it until Start; a retry it may have missed is asked for again (idempotent)
            if (_state.Attempt > 0)
            {
                // the failed attempt's slot, in case that release was lost too (only that server's)
                if (_state.Attempts.Count > 0) ReleaseSlot(_state.Attempts[^1].ServerId);
                RequestRetry();
            }
            return;
        }
        _log.Info("job {0}: re-attaching in state {1} on {2}", _jobId, _state.Status, _state.Placement!.Server.Id);
        if (_state.CancelRequested) KillRemote();
        else if (_state.Status == JobStatus.Transferring) Transfer(includeArtifacts: true);
        else if (_state.ProcessGroup is null) Launch();
        else { ArmTimeLimit(); CheckRemoteStatus(); }
    }

    private string Step() => _state.Status.ToString().ToLowerInvariant();

    private TimeSpan TimeLimit =>
        _state.Request!.BuildConfig.TimeoutMinutes is { } m ? TimeSpan.FromMinutes(m) : _settings.DefaultJobTimeout;

    private void ArmTimeLimit()
    {
        if (_state.LaunchedAt is not { } launched) return;
        var left = launched + TimeLimit - DateTimeOffset.UtcNow;
        Timers.StartSingleTimer("time-limit", new TimeLimitReached(), left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    private void OnTimeLimit() =>
        StopBuild(new JobFailure(FailureKind.Timeout, Step(), null, $"the build exceeded its time limit of {TimeLimit}"));

    /// <summary>Kills the build for a limit it broke (time, log size); once it is dead, the log (not the artifacts) is published with the failure.</summary>
    private void StopBuild(JobFailure failure)
    {
        if (!_state.Status.IsOnServer() || _state.Status >= JobStatus.Transferring || _state.CancelRequested || _pendingFailure is not null) return;
        _log.Warning("job {0}: {1} (in {2}); killing the build", _jobId, failure.Message, failure.Step);
        _pendingFailure = failure;
        StopStream();
        Session().Tell(new SshSessionActor.Run(RemoteCommands.Kill(_state.Workspace!, _settings.CancelGracePeriod), KillTag));
    }

    private IActorRef Session()
    {
        if (!_session.IsNobody()) return _session;
        _session = Context.ActorOf(SshSessionActor.Props(_state.Placement!.Server, _settings.SshConnectTimeout), $"ssh-{_state.Attempt}");
        return _session;
    }

    private void Launch()
    {
        _drained = false;
        _streamRetries = 0; // every attempt gets its own re-attach budget
        string script, environment;
        try
        {
            var plan = BuildPlan.From(_jobId, _state.Request!, _state.Placement!, _state.Workspace!, ArchitectureCatalog.Default);
            script = BuildScript.Generate(plan);
            environment = BuildScript.Environment(plan);
        }
        catch (Exception e)
        {   // a request the validator let through but the plan cannot express: fail, never crash-loop
            FailInfrastructure("preparing", $"cannot generate the build script: {e.Message}", retryable: false);
            return;
        }
        Session().Tell(new SshSessionActor.Run(RemoteCommands.Launch(_jobId, _state.Workspace!, script, environment), LaunchTag));
    }

    private void OnLaunched(SshSessionActor.RunResult r)
    {
        if (_state.CancelRequested) return;
        if (r.Result.ExitCode != 0 || !int.TryParse(r.Result.Stdout.Trim(), out var pg))
        {
            FailInfrastructure("preparing", $"cannot start the build in {_state.Workspace}: exit {r.Result.ExitCode}: {r.Result.Stderr.Trim()}");
            return;
        }
        var logBase = File.Exists(_store.LiveLogPath(_jobId)) ? new FileInfo(_store.LiveLogPath(_jobId)).Length : 0;
        PersistEvent(new Launched(pg, DateTimeOffset.UtcNow, logBase), () => { ArmTimeLimit(); StartStream(); });
    }

    private void StartStream()
    {
        StopStream();
        _stream = Context.ActorOf(LogStreamActor.Props(Session(), _state.Workspace!, _state.ProcessGroup!.Value, _store.LiveLogPath(_jobId), _state.LogBase,
            _state.Request!.BuildConfig.SecretValues, _settings.Limits.MaxLogBytes));
    }

    private void StopStream()
    {
        if (!_stream.IsNobody()) Context.Stop(_stream);
        _stream = ActorRefs.Nobody;
    }

    private void CheckRemoteStatus() => Session().Tell(new SshSessionActor.Run(RemoteCommands.Status(_state.Workspace!), StatusTag));

    private void OnStepObserved(LogStreamActor.StepObserved s)
    {
        var status = s.Step switch
        {
            "configuring" => JobStatus.Configuring,
            "building" => JobStatus.Building,
            "collecting" => JobStatus.Collecting,
            BootTest.StepName => JobStatus.Booting,
            _ => (JobStatus?)null,
        };
        // Only forward moves: a marker replayed or forged by build output cannot move the job back.
        if (status is { } next && next > _state.Status && _state.Status < JobStatus.Transferring && !_state.CancelRequested)
            PersistEvent(new StepStarted(next, DateTimeOffset.UtcNow));
    }

    private void OnStatus(SshSessionActor.RunResult r)
    {
        if (_state.CancelRequested || _state.Status.IsTerminal() || _pendingFailure is not null) return;
        _streamRetries = 0;
        var words = r.Result.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words.FirstOrDefault())
        {
            case "running" when _stream.IsNobody():
                StartStream();
                break;
            case "running":
                break;
            case "exit" when words.Length >= 2 && int.TryParse(words[1], out var code):
                if (!_drained)
                {   // finished while we were away (or the stream broke): read the log to its end first
                    StartStream();
                    return;
                }
                var step = words.Length >= 3 ? words[2] : _state.Status.ToString().ToLowerInvariant();
                if (code == 0 && _state.Request!.BuildConfig.BootTest && _state.Boot is null)
                    Session().Tell(new SshSessionActor.Run(BootTest.ReadResult(_state.Workspace!), BootTag));
                else if (code == 0) Transfer(includeArtifacts: true);
                else if (code == BuildSandbox.Unavailable)
                    FailInfrastructure(step, "the build server cannot isolate builds (its sandbox does not start): see the job's log");
                else FailBuild(step, code);
                break;
            case "vanished":
                FailInfrastructure(_state.Status.ToString().ToLowerInvariant(), "the build process disappeared without an exit status (killed or server rebooted)");
                break;
            default:
                FailInfrastructure(_state.Status.ToString().ToLowerInvariant(), $"workspace {_state.Workspace} is gone on the server");
                break;
        }
    }

    /// <summary>A failed boot is recorded, not a failed build (KernelCI's way): the job goes on to the transfer.</summary>
    private void OnBootResult(SshSessionActor.RunResult r)
    {
        if (_state.CancelRequested || _state.Status.IsTerminal() || _pendingFailure is not null) return;
        var boot = BootTest.ParseResult(r.Result.Stdout);
        _log.Info("job {0}: boot {1} after {2} s{3}", _jobId, boot.Status.ToString().ToLowerInvariant(), boot.DurationS, boot.Reason is null ? "" : $" ({boot.Reason})");
        PersistEvent(new BootTested(boot, DateTimeOffset.UtcNow), () => Transfer(includeArtifacts: true));
    }

    private void Transfer(bool includeArtifacts)
    {
        StopStream();
        void Start()
        {
            var output = _state.Request!.BuildConfig.OutputDirectory;
            var root = ArtifactStore.RootFor(output, _settings.ArtifactStoragePath);
            var refusedRoot = output is null ? null : OutputDirectoryRule.Check(output, _settings.ArtifactStoragePath, _settings.EffectiveOutputRoots);
            var record = Record();
            var failure = _pendingFailure;
            var plan = BuildPlan.From(_jobId, _state.Request!, _state.Placement!, _state.Workspace!, ArchitectureCatalog.Default);
            // This attempt's part of the central log: what the script reported about the build.
            // (read on the transfer's thread: everything it needs is captured here, not read from _state)
            var (livePath, logBase, secretEnv) = (_store.LiveLogPath(_jobId), _state.LogBase, _state.Request!.BuildConfig.SecretEnv.ToHashSet());
            var facts = new Lazy<BuildLogFacts>(() => BuildLogFacts.Parse(ReadLogFrom(livePath, logBase)));
            Context.ActorOf(ArtifactTransferActor.Props(Session(), _state.Workspace!, root, _jobId, _store.LiveLogPath(_jobId), includeArtifacts,
                artifacts => JobMetadata.Describe(record with { Artifacts = artifacts }, failure, facts.Value, plan.EffectiveTargets, plan.Jobs, plan.Container),
                () => new Dictionary<string, string>
                {
                    ["reproducer.sh"] = Reproducer.Generate(plan, facts.Value.Fact("git_commit"), secretEnv),
                }, _settings.Limits, refusedRoot), $"transfer-{Guid.NewGuid():N}");
        }
        if (includeArtifacts && _state.Status != JobStatus.Transferring)
            PersistEvent(new StepStarted(JobStatus.Transferring, DateTimeOffset.UtcNow), Start);
        else Start();
    }

    private static string ReadLogFrom(string path, long offset)
    {
        if (!File.Exists(path)) return "";
        using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        log.Seek(Math.Min(offset, log.Length), SeekOrigin.Begin);
        return new StreamReader(log).ReadToEnd();
    }

    private void OnTransferred(ArtifactTransferActor.Completed c)
    {
        if (_pendingFailure is { } failure)
        {
            _pendingFailure = null;
            PersistEvent(new Failed(failure, c.Directory, DateTimeOffset.UtcNow), Cleanup);
            return;
        }
        PersistEvent(new Completed(c.Directory, c.Artifacts, DateTimeOffset.UtcNow), Cleanup);
    }

    private void FailBuild(string step, int exitCode)
    {
        _log.Info("job {0}: build failed in {1} with exit code {2}", _jobId, step, exitCode);
        _pendingFailure = new JobFailure(FailureKind.Build, step, exitCode, $"{step} failed with exit code {exitCode}");
        Transfer(includeArtifacts: false); // publish build.log and metadata for the failed job
    }

    private void FailInfrastructure(string step, string message, bool retryable = true)
    {
        _log.Warning("job {0}: infrastructure failure in {1} on attempt {2}: {3}", _jobId, step, _state.Attempt, message);
        StopStream();
        var failure = new JobFailure(FailureKind.Infrastructure, step, null, message);
        if (!retryable || _state.CancelRequested || _state.Attempt >= _settings.MaxAttempts)
        {
            PersistEvent(new Failed(failure, null, DateTimeOffset.UtcNow), Cleanup);
            return;
        }
        var server = _state.Placement!.Server;
        var workspace = _state.Workspace!;
        var notBefore = DateTimeOffset.UtcNow + _settings.BackoffBefore(_state.Attempt + 1);
        PersistEvent(new AttemptFailed(_state.Attempt, server.Id, failure, notBefore, DateTimeOffset.UtcNow), () =>
        {
            // The old attempt is abandoned: free its slot, stop its session, and try to clear its
            // workspace in the background (the server may be gone; the next attempt does not wait).
            if (!_session.IsNobody()) { Context.Stop(_session); _session = ActorRefs.Nobody; }
            _ = AbandonAsync(server, workspace);
            ReleaseSlot(server.Id);
            RequestRetry();
        });
    }

    /// <summary>Asks the queue for the next attempt, again every redelivery interval until it acknowledges.</summary>
    private void RequestRetry()
    {
        _log.Info("job {0}: attempt {1} will start after {2:O}, avoiding {3}", _jobId, _state.Attempt + 1, _state.RetryNotBefore, string.Join(",", _state.FailedServers));
        SendRequeue();
        Timers.StartPeriodicTimer("requeue", new ResendRequeue(), _settings.RedeliveryInterval);
    }

    private void SendRequeue() =>
        _queue.Tell(new QueueCommands.Requeue(_jobId, _state.Request!, _state.Attempt + 1, _state.FailedServers,
            _state.RetryNotBefore ?? DateTimeOffset.UtcNow));

    /// <summary>Gives a server's slot back, again every redelivery interval until the pool acknowledges.</summary>
    private void ReleaseSlot(string serverId)
    {
        _unreleased.Add(serverId);
        _pool.Tell(new ServerPoolCommands.Release(_jobId, serverId));
        if (!Timers.IsTimerActive("release"))
            Timers.StartPeriodicTimer("release", new ResendReleases(), _settings.RedeliveryInterval);
    }

    private async Task AbandonAsync(BuildServer server, string workspace)
    {
        try
        {
            using var shell = await RemoteShell.ConnectAsync(server, _settings.SshConnectTimeout, CancellationToken.None);
            await shell.RunAsync(RemoteCommands.KillAndCleanup(_jobId, workspace, _settings.CancelGracePeriod), CancellationToken.None);
        }
        catch (Exception) { /* unreachable: the workspace stays; the operator sees the failed attempt */ }
    }

    private void OnRemoteFailure(SshSessionActor.RunFailed f)
    {
        if (_state.Status.IsTerminal()) { FinishAfterCleanup(); return; } // cleanup could not reach the server
        if (_state.CancelRequested)
        {   // cannot reach the server to kill: record the cancel; the workspace stays for the operator
            _log.Warning("job {0}: cancel could not reach the server: {1}", _jobId, f.Error);
            PersistEvent(new Cancelled(DateTimeOffset.UtcNow), FinishAfterCleanup);
            return;
        }
        var step = _state.Status.ToString().ToLowerInvariant();
        if (f.Tag == StatusTag && _state.ProcessGroup is not null && ++_streamRetries <= _settings.ReattachAttempts)
        {
            _log.Warning("job {0}: status check failed ({1}); retrying", _jobId, f.Error);
            Timers.StartSingleTimer("retry", new RetryStream(), _settings.ReattachDelay);
            return;
        }
        FailInfrastructure(step, f.Error);
    }

    private void KillRemote()
    {
        StopStream();
        if (_state.Workspace is null) { PersistEvent(new Cancelled(DateTimeOffset.UtcNow), FinishAfterCleanup); return; }
        Session().Tell(new SshSessionActor.Run(RemoteCommands.Kill(_state.Workspace, _settings.CancelGracePeriod), KillTag));
    }

    private void Cleanup()
    {
        var keep = _state.Request!.BuildConfig.KeepWorkspace && !_state.CancelRequested;
        if (keep || _state.Workspace is null) { FinishAfterCleanup(); return; }
        // Kill first: an attempt abandoned for an infrastructure or storage reason may still be running.
        Session().Tell(new SshSessionActor.Run(RemoteCommands.KillAndCleanup(_jobId, _state.Workspace, _settings.CancelGracePeriod), CleanupTag));
    }

    private void FinishAfterCleanup()
    {
        if (_state.CancelRequested && !_state.Status.IsTerminal())
        {
            PersistEvent(new Cancelled(DateTimeOffset.UtcNow), FinishAfterCleanup);
            return;
        }
        if (_state.Placement is { } placement) ReleaseSlot(placement.Server.Id);
        if (!_session.IsNobody()) { Context.Stop(_session); _session = ActorRefs.Nobody; }
        _log.Info("job {0}: {1}", _jobId, _state.Status.ToString().ToLowerInvariant());
        CallWebhooks();
        SetReceiveTimeout(PassivateAfter);
    }

    /// <summary>Starts a delivery for each webhook that wants this end state and has no recorded outcome yet.</summary>
    private void CallWebhooks()
    {
        if (!_state.Exists || !_state.Status.IsTerminal()) return;
        var hooks = _state.Request!.Webhooks;
        string? payload = null;
        for (var i = 0; i < hooks.Count; i++)
        {
            var index = i;
            if (!WebhookPayload.Wants(hooks[i], _state.Status) || _state.WebhookDeliveries.Any(d => d.Index == index) || !_delivering.Add(i)) continue;
            payload ??= WebhookPayload.Build(Record());
            Context.ActorOf(WebhookSender.Props(_jobId, i, hooks[i], WebhookPayload.EventOf(_state.Status), payload,
                _settings.WebhookAttempts, _settings.WebhookBackoff, Webhooks.WebhookHttp.For(_settings).Client), $"webhook-{i}");
        }
    }

    public static Props Props(string jobId, FarmSettings settings, IActorRef queue, IActorRef pool) =>
        Akka.Actor.Props.Create(() => new BuildJobActor(jobId, settings, queue, pool));
}
