using Akka.Actor;
using Akka.Event;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Jobs.JobEffect;
using static KernelFarm.Actors.Jobs.JobInputs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs;

/// <summary>One turn's outcome: events to persist, the new transient state, effects to carry out (in order, after the events), the reply.</summary>
public sealed record JobDecision(IReadOnlyList<IJobEvent> Events, JobRun Run, IReadOnlyList<JobEffect> Effects, JobReply? Reply);

/// <summary>
/// Every decision of a job, as a function: <c>Decide(state, run, input) → (events, run, effects, reply)</c>.
/// It never touches an actor, a file or the network; <see cref="BuildJobActor"/> persists the events,
/// applies them and carries out the effects (docs/execution.md, "The job process").
/// </summary>
public sealed class JobProcess(string jobId, FarmSettings settings)
{
    public JobDecision Decide(JobState job, JobRun run, object input, DateTimeOffset now, IActorRef? sender = null)
    {
        var t = new Turn(jobId, settings, job, run, now, sender ?? ActorRefs.Nobody);
        t.Handle(input);
        return new JobDecision(t.Events, t.Run, t.Effects, t.Reply);
    }

    /// <summary>One decision in the making: events are applied as they are decided, so later steps see them.</summary>
    private sealed class Turn(string jobId, FarmSettings settings, JobState job, JobRun run, DateTimeOffset now, IActorRef sender)
    {
        public JobState Job = job;
        public JobRun Run = run;
        public readonly List<IJobEvent> Events = [];
        public readonly List<JobEffect> Effects = [];
        public JobReply? Reply;

        private void Persist(IJobEvent e) { Events.Add(e); Job = Job.Apply(e); }
        private void Do(JobEffect e) => Effects.Add(e);
        private void Info(string message) => Do(new Log(LogLevel.InfoLevel, $"job {jobId}: {message}"));
        private void Warn(string message) => Do(new Log(LogLevel.WarningLevel, $"job {jobId}: {message}"));
        private void ReplyTo(IActorRef? to, JobReply reply)
        {
            if (to is null) Reply = reply;
            else Do(new Answer(to, reply));
        }

        private string Step => Job.Status.ToString().ToLowerInvariant();
        private bool Stopping => Job.CancelRequested || Job.PendingFailure is not null;

        public void Handle(object input)
        {
            switch (input)
            {
                case BuildJobCommands.Get g:
                    if (Job.Exists) Reply = new JobReply.View();
                    else AwaitRecall(cancel: false);
                    break;
                case BuildJobCommands.Create c: OnCreate(c); break;
                case BuildJobCommands.Start s: OnStart(s); break;
                case BuildJobCommands.Cancel:
                    if (Job.Exists) Cancel(null);
                    else AwaitRecall(cancel: true);
                    break;
                case QueueReplies.Recalled r: OnRecalled(r); break;
                case QueueReplies.Requeued r:
                    if (r.Attempt > Job.Attempt) Do(new CancelTimer(JobTimer.Requeue));
                    break;
                case ServerPoolReplies.Released r:
                    if (r.ServerId is not null) Run = Run with { Unreleased = Run.Unreleased.Remove(r.ServerId) };
                    if (Run.Unreleased.IsEmpty) Do(new CancelTimer(JobTimer.Release));
                    break;
                case Recovered: Resume(); break;
                case ResultLookedUp l: OnResultLookedUp(l); break;
                case ResultCopied c: OnResultCopied(c); break;
                case ResultCopyFailed f:
                    Warn($"could not take another job's result ({f.Error}); building");
                    EndReuse();
                    break;
                case TimerFired f: OnTimer(f.Timer); break;
                case Idle:
                    // Not while a release is unacknowledged or a webhook or push is on its way: passivation would forget them.
                    if ((Job.Status.IsTerminal() || !Job.Exists) && Run.Unreleased.IsEmpty && Run.Delivering.IsEmpty && !Run.Pushing) Do(new Passivate());
                    break;

                case LaunchAnswered l when IsCurrent(l.Attempt): OnLaunched(l); break;
                case RemoteAnswered a when IsCurrent(a.Attempt): OnAnswered(a); break;
                case RemoteFailed f when IsCurrent(f.Attempt): OnRemoteFailure(f); break;

                case LogStreamActor.StepObserved s: OnStepObserved(s.Step); break;
                case LogStreamActor.Ended:
                    StopStream();
                    Run = Run with { Drained = true };
                    Do(new RunRemote(RemoteCall.Status, RemoteCommands.Status(Job.Workspace!)));
                    break;
                case LogStreamActor.Broken b:
                    StopStream();
                    Run = Run with { StreamRetries = Run.StreamRetries + 1 };
                    if (Run.StreamRetries > settings.ReattachAttempts) { FailInfrastructure(Step, $"lost the server: {b.Error}"); return; }
                    Warn($"log stream broke ({b.Error}); re-attaching");
                    Do(new StartTimer(JobTimer.RetryStatus, settings.ReattachDelay));
                    break;
                case LogStreamActor.StorageFailed f:
                    StopStream();
                    if (Job.Status.IsOnServer() && !Stopping) FailInfrastructure(Step, "storage: " + f.Error, retryable: false);
                    break;
                case LogStreamActor.LimitReached l: StopBuild(new JobFailure(FailureKind.Limit, Step, null, l.Error)); break;

                case ArtifactTransferActor.Completed c: OnPublished(c); break;
                case ArtifactTransferActor.Failed f: OnPublicationFailed(f); break;

                case WebhookSender.Outcome o:
                    var d = o.Delivery;
                    Run = Run with { Delivering = Run.Delivering.Remove(d.Index) };
                    if (d.Delivered) Info($"webhook {d.Index} delivered after {d.Attempts} attempt(s), HTTP {d.HttpStatus}");
                    else Warn($"webhook {d.Index} given up after {d.Attempts} attempt(s): {d.Error}");
                    Persist(new WebhookDone(d));
                    break;
                case Kcidb.KcidbSender.Outcome k:
                    Run = Run with { Pushing = false };
                    if (k.Delivery.Delivered) Info($"pushed to KCIDB after {k.Delivery.Attempts} attempt(s), HTTP {k.Delivery.HttpStatus}");
                    else Warn($"KCIDB push given up after {k.Delivery.Attempts} attempt(s): {k.Delivery.Error}");
                    Persist(new KcidbDelivered(k.Delivery));
                    break;
            }
        }

        /// <summary>An answer from this attempt's server while the job is there (or cleaning up after its end); others are stale.</summary>
        private bool IsCurrent(int attempt) => attempt == Job.Attempt && (Job.Status.IsOnServer() || Job.Status.IsTerminal());

        // ---- commands -------------------------------------------------------------------------

        private void OnCreate(BuildJobCommands.Create c)
        {
            if (!Job.Exists) Persist(new Created(c.JobId, c.Request, c.At));
            if (Run.Reusing) return; // the queue hears Created when the lookup ends
            if (MayReuse())
            {   // before the queue may place the job: a completed build with the same inputs makes it unnecessary
                Run = Run with { Reusing = true };
                Do(new LookUpResult());
                return;
            }
            Reply = new JobReply.Created();
        }

        // ---- result reuse (docs/reuse.md) -------------------------------------------------------

        private bool MayReuse() =>
            settings.ResultReuse && !Run.ReuseChecked && Job is { Status: JobStatus.Queued, Attempt: 0, CancelRequested: false }
            && !Job.Request!.NoCache && Reuse.ReuseKey.Ineligible(Job.Request) is null;

        private void OnResultLookedUp(ResultLookedUp l)
        {
            if (!Run.Reusing) return;
            if (l.Error is not null) Warn($"result reuse lookup failed ({l.Error}); building");
            if (l.Source is { Id: var sourceId } source && l.Key is { } key && sourceId != jobId && Job.Status == JobStatus.Queued && !Job.CancelRequested)
            {
                Do(new CopyResult(source, key));
                return;
            }
            EndReuse();
        }

        private void OnResultCopied(ResultCopied c)
        {
            if (!Run.Reusing) return;
            Run = Run with { Reusing = false, ReuseChecked = true };
            Do(new AnswerQueue(new JobReply.Created()));
            if (Job.Status != JobStatus.Queued) return; // cancelled meanwhile
            if (c.Boot is { } boot) Persist(new BootTested(boot, now));
            Persist(new Completed(c.Directory, c.Artifacts, now, c.Key, c.SourceId, c.Diagnostics));
            Info($"completed with the result of job {c.SourceId} (same inputs; not built again)");
            FinishAfterCleanup();
        }

        /// <summary>No result to take: the job builds, and the queue may place it now.</summary>
        private void EndReuse()
        {
            Run = Run with { Reusing = false, ReuseChecked = true };
            Do(new AnswerQueue(new JobReply.Created()));
        }

        private void OnStart(BuildJobCommands.Start s)
        {
            Reply = new JobReply.Started(s.Attempt);
            if (!Job.Exists || Job.Status.IsTerminal() || Job.CancelRequested)
            {   // cancelled while the queue placed it: give the slot back
                ReleaseSlot(s.Placement.Server.Id);
                return;
            }
            if (Job.Attempt >= s.Attempt) return;
            Do(new CancelTimer(JobTimer.Requeue)); // the retry was placed
            var workspace = BuildPlan.WorkspaceFor(jobId, Job.Request!, s.Placement.Server.WorkspaceRoot);
            Persist(new Assigned(s.Placement, workspace, s.Attempt, now));
            Info($"assigned to {s.Placement.Server.Id} ({s.Placement.Toolchain.Name}), workspace {workspace}");
            Persist(new StepStarted(JobStatus.Preparing, now));
            Launch();
        }

        /// <summary>
        /// A GET or cancel for a job with no Created event: the client may have been answered 202 by
        /// the queue before the queue's Create reached this actor, so ask the queue for the submission
        /// (once for all such commands) and answer them when it replies.
        /// </summary>
        private void AwaitRecall(bool cancel)
        {
            Run = Run with { AwaitingRecall = Run.AwaitingRecall.Add(new RecallWaiter(cancel, sender)) };
            if (Run.AwaitingRecall.Count > 1) return;
            Do(new TellQueue(new QueueCommands.Recall(jobId)));
            Do(new StartTimer(JobTimer.Recall, settings.AskTimeout / 2));
        }

        private void OnRecalled(QueueReplies.Recalled r)
        {
            if (r.JobId != jobId || Run.AwaitingRecall.IsEmpty) return;
            if (r.Request is not null && !Job.Exists)
            {
                Persist(new Created(jobId, r.Request, r.At));
                Do(new AnswerQueue(new JobReply.Created())); // the queue stops re-sending Create
            }
            AnswerRecalled();
        }

        /// <summary>Answers the commands that waited for the queue (or for its timeout): now the job exists or it never will.</summary>
        private void AnswerRecalled()
        {
            Do(new CancelTimer(JobTimer.Recall));
            var waiting = Run.AwaitingRecall;
            Run = Run with { AwaitingRecall = [] };
            foreach (var w in waiting)
            {
                if (!Job.Exists) ReplyTo(w.ReplyTo, new JobReply.NotFound());
                else if (w.Cancel) Cancel(w.ReplyTo);
                else ReplyTo(w.ReplyTo, new JobReply.View());
            }
            if (!Job.Exists) Do(new PassivateWhenIdle());
        }

        /// <param name="to">Who asked; null: the current sender.</param>
        private void Cancel(IActorRef? to)
        {
            if (Job.Status.IsTerminal()) { ReplyTo(to, new JobReply.AlreadyFinished()); return; }
            if (Job.Status == JobStatus.Queued)
            {
                Persist(new Cancelled(now));
                Do(new TellQueue(new QueueCommands.Withdraw(jobId)));
                ReplyTo(to, new JobReply.View());
                CallWebhooks(); // a job cancelled before it ran has ended too: its "cancelled" webhooks go out
                Do(new PassivateWhenIdle());
                return;
            }
            if (Job.CancelRequested) { ReplyTo(to, new JobReply.View()); return; }
            Persist(new CancelRequested(now));
            ReplyTo(to, new JobReply.View());
            // A failure already being stopped or a publication on its way ends the job as it decides:
            // the build is over, and what reaches storage is what the final event names.
            if (Job.PendingFailure is null && !Run.Publishing) KillRemote();
        }

        // ---- execution ------------------------------------------------------------------------

        private void Resume()
        {
            if (!Job.Exists || Job.Status.IsTerminal())
            {   // the node may have died between the last event and the release of the slot
                if (Job.Placement is { } last) ReleaseSlot(last.Server.Id);
                CallWebhooks(); // those not yet delivered or given up when the node stopped
                PushToKcidb(); // likewise a push without a recorded outcome
                Do(new PassivateWhenIdle());
                return;
            }
            if (Job.Status == JobStatus.Queued)
            {   // the queue owns it until Start; a retry it may have missed is asked for again (idempotent)
                if (Job.Attempt > 0)
                {
                    // the failed attempt's slot, in case that release was lost too (only that server's)
                    if (Job.Attempts.Count > 0) ReleaseSlot(Job.Attempts[^1].ServerId);
                    RequestRetry();
                }
                return;
            }
            Info($"re-attaching in state {Job.Status} on {Job.Placement!.Server.Id}");
            // A decided failure is finished as decided, never re-derived from the exit status (a killed
            // build's is the signal's). A limit's build is killed again (idempotent) before its log is
            // published; a build step's failure was read from the build's own exit, nothing to kill.
            // It comes before a cancel, as in the first incarnation: the failure's publication decides.
            if (Job.PendingFailure is { Kind: FailureKind.Build }) Transfer(includeArtifacts: false);
            else if (Job.PendingFailure is { } pending) KillForFailure(pending);
            else if (Job.CancelRequested) KillRemote();
            else if (Job.Status == JobStatus.Transferring) Transfer(includeArtifacts: true);
            else if (Job.ProcessGroup is null) Launch();
            else { ArmTimeLimit(); CheckStatus(); }
        }

        private void OnTimer(JobTimer timer)
        {
            switch (timer)
            {
                case JobTimer.TimeLimit:
                    StopBuild(new JobFailure(FailureKind.Timeout, Step, null, $"the build exceeded its time limit of {TimeLimit}"));
                    break;
                case JobTimer.RetryStatus:
                    if (Job.Status.IsOnServer() && !Stopping) CheckStatus();
                    break;
                case JobTimer.Requeue:
                    if (Job.Status == JobStatus.Queued && Job.Attempt > 0 && !Job.CancelRequested) SendRequeue();
                    else Do(new CancelTimer(JobTimer.Requeue));
                    break;
                case JobTimer.Release:
                    foreach (var server in Run.Unreleased.Order(StringComparer.Ordinal)) Do(new TellPool(new ServerPoolCommands.Release(jobId, server)));
                    break;
                case JobTimer.Recall:
                    AnswerRecalled();
                    break;
            }
        }

        private TimeSpan TimeLimit =>
            Job.Request!.BuildConfig.TimeoutMinutes is { } m ? TimeSpan.FromMinutes(m) : settings.DefaultJobTimeout;

        private void ArmTimeLimit()
        {
            if (Job.LaunchedAt is not { } launched) return;
            var left = launched + TimeLimit - now;
            Do(new StartTimer(JobTimer.TimeLimit, left > TimeSpan.Zero ? left : TimeSpan.Zero));
        }

        /// <summary>Kills the build for a limit it broke (time, log size); once it is dead, the log (not the artifacts) is published with the failure.</summary>
        private void StopBuild(JobFailure failure)
        {
            if (!Job.Status.IsOnServer() || Job.Status >= JobStatus.Transferring || Stopping || Run.Publishing) return;
            Persist(new FailureDecided(failure, now)); // before the kill: a restart must not read the killed build's exit as its failure
            KillForFailure(failure);
        }

        /// <summary>The kill of a decided failure (idempotent: a dead build stays dead); its answer starts the log's publication.</summary>
        private void KillForFailure(JobFailure failure)
        {
            Warn($"{failure.Message} (in {failure.Step}); killing the build");
            StopStream();
            Do(new RunRemote(RemoteCall.Kill, RemoteCommands.Kill(Job.Workspace!, settings.CancelGracePeriod)));
        }

        private void Launch()
        {
            Run = Run with { Drained = false, StreamRetries = 0 }; // every attempt gets its own re-attach budget
            string command;
            byte[]? upload = null;
            try
            {
                var plan = BuildPlan.From(jobId, Job.Request!, Job.Placement!, Job.Workspace!, ArchitectureCatalog.Default);
                // A series' mbox may pass a command line's limit (128 KiB): it goes on the launcher's stdin.
                if (Job.Request!.Series is { Mbox: { Length: > 0 } mbox }) upload = System.Text.Encoding.UTF8.GetBytes(mbox);
                command = RemoteCommands.Launch(jobId, Job.Workspace!, BuildScript.Generate(plan), BuildScript.Environment(plan),
                    upload is null ? null : SeriesScript.MboxFile);
            }
            catch (Exception e)
            {   // a request the validator let through but the plan cannot express: fail, never crash-loop
                FailInfrastructure("preparing", $"cannot generate the build script: {e.Message}", retryable: false);
                return;
            }
            Do(new RunRemote(RemoteCall.Launch, command, Input: upload));
        }

        private void OnLaunched(LaunchAnswered l)
        {
            if (Job.CancelRequested || Job.Status.IsTerminal() || Job.ProcessGroup is not null) return;
            if (l.Result.ExitCode != 0 || !int.TryParse(l.Result.Stdout.Trim(), out var pg))
            {
                FailInfrastructure("preparing", $"cannot start the build in {Job.Workspace}: exit {l.Result.ExitCode}: {l.Result.Stderr.Trim()}");
                return;
            }
            Persist(new Launched(pg, now, l.LiveLogLength));
            ArmTimeLimit();
            StartStream();
        }

        private void StartStream()
        {
            Do(new StartLogStream()); // replaces a running one
            Run = Run with { Streaming = true };
        }

        private void StopStream()
        {
            if (!Run.Streaming) return;
            Do(new StopLogStream());
            Run = Run with { Streaming = false };
        }

        private void CheckStatus() => Do(new RunRemote(RemoteCall.Status, RemoteCommands.Status(Job.Workspace!)));

        private void OnStepObserved(string step)
        {
            var status = step switch
            {
                "configuring" => JobStatus.Configuring,
                "building" => JobStatus.Building,
                "collecting" => JobStatus.Collecting,
                BootTest.StepName => JobStatus.Booting,
                _ => (JobStatus?)null,
            };
            // Only forward moves: a marker replayed or forged by build output cannot move the job back.
            if (status is { } next && next > Job.Status && Job.Status < JobStatus.Transferring && Job.Status.IsOnServer() && !Job.CancelRequested)
                Persist(new StepStarted(next, now));
        }

        private void OnAnswered(RemoteAnswered a)
        {
            switch (a.Call)
            {
                case RemoteCall.Status: OnStatus(a.Result); break;
                case RemoteCall.Boot: OnBootResult(a.Result); break;
                // After a kill: a limit's failure still publishes the log; a cancel just cleans up.
                case RemoteCall.Kill:
                    if (Job.PendingFailure is not null) Transfer(includeArtifacts: false);
                    else Cleanup();
                    break;
                case RemoteCall.Cleanup: FinishAfterCleanup(); break;
            }
        }

        private void OnStatus(CommandResult r)
        {
            if (Stopping || Job.Status.IsTerminal() || !Job.Status.IsOnServer() || Run.Publishing) return;
            Run = Run with { StreamRetries = 0 };
            var words = r.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "running" when !Run.Streaming:
                    StartStream();
                    break;
                case "running":
                    break;
                case "exit" when words.Length >= 2 && int.TryParse(words[1], out var code):
                    if (!Run.Drained)
                    {   // finished while we were away (or the stream broke): read the log to its end first
                        StartStream();
                        return;
                    }
                    var step = words.Length >= 3 ? words[2] : Step;
                    if (code == 0 && Job.Request!.BuildConfig.BootTest && Job.Boot is null)
                        Do(new RunRemote(RemoteCall.Boot, BootTest.ReadResult(Job.Workspace!)));
                    else if (code == 0) Transfer(includeArtifacts: true);
                    else if (code == BuildSandbox.Unavailable)
                        FailInfrastructure(step, "the build server cannot isolate builds (its sandbox does not start): see the job's log");
                    else FailBuild(step, code);
                    break;
                case "vanished":
                    FailInfrastructure(Step, "the build process disappeared without an exit status (killed or server rebooted)");
                    break;
                default:
                    FailInfrastructure(Step, $"workspace {Job.Workspace} is gone on the server");
                    break;
            }
        }

        /// <summary>A failed boot is recorded, not a failed build (KernelCI's way): the job goes on to the transfer.</summary>
        private void OnBootResult(CommandResult r)
        {
            if (Stopping || Job.Status.IsTerminal() || Run.Publishing) return;
            var boot = BootTest.ParseResult(r.Stdout);
            Info($"boot {boot.Status.ToString().ToLowerInvariant()} after {boot.DurationS} s{(boot.Reason is null ? "" : $" ({boot.Reason})")}");
            Persist(new BootTested(boot, now));
            Transfer(includeArtifacts: true);
        }

        /// <summary>
        /// Publication first, the final event after it: the event (Completed or Failed) names the folder
        /// and exactly the files the publication reported, so the record and storage agree.
        /// </summary>
        private void Transfer(bool includeArtifacts)
        {
            StopStream();
            if (includeArtifacts && Job.Status != JobStatus.Transferring) Persist(new StepStarted(JobStatus.Transferring, now));
            Run = Run with { Publishing = true };
            Do(new Publish(includeArtifacts, Job.PendingFailure));
        }

        private void OnPublished(ArtifactTransferActor.Completed c)
        {
            if (!Run.Publishing || Job.Status.IsTerminal()) return;
            Run = Run with { Publishing = false };
            if (Job.PendingFailure is { } failure) Persist(new Failed(failure, c.Directory, now, c.Artifacts, c.Diagnostics));
            else Persist(new Completed(c.Directory, c.Artifacts, now,
                Job.Placement is { ContainerImage: null, Compiler: var compiler } ? Reuse.ReuseKey.Of(Job.Request!, compiler) : null, Diagnostics: c.Diagnostics));
            Cleanup();
        }

        private void OnPublicationFailed(ArtifactTransferActor.Failed f)
        {
            if (!Run.Publishing || Job.Status.IsTerminal()) return;
            Run = Run with { Publishing = false };
            if (Job.PendingFailure is { } pending)
            {   // the log-only publication of a failed job failed too: record the original failure, nothing published
                Persist(new Failed(pending with { Message = pending.Message + $" (log not published: {f.Error})" }, null, now));
                Cleanup();
                return;
            }
            if (Job.CancelRequested) { Cleanup(); return; } // nothing was published: the cancel ends the job
            if (f.Limit)
            {   // the job's own output broke a storage limit: not retried, nothing published
                Warn($"storage limit in transferring: {f.Error}");
                Persist(new Failed(new JobFailure(FailureKind.Limit, "transferring", null, f.Error), null, now));
                Cleanup();
                return;
            }
            // Central storage is not the server's fault: another server would not help.
            FailInfrastructure("transferring", f.Storage ? $"storage: {f.Error}" : f.Error, retryable: !f.Storage);
        }

        private void FailBuild(string step, int exitCode)
        {
            Info($"build failed in {step} with exit code {exitCode}");
            Persist(new FailureDecided(new JobFailure(FailureKind.Build, step, exitCode, $"{step} failed with exit code {exitCode}"), now));
            Transfer(includeArtifacts: false); // publish build.log and metadata for the failed job
        }

        private void FailInfrastructure(string step, string message, bool retryable = true)
        {
            Warn($"infrastructure failure in {step} on attempt {Job.Attempt}: {message}");
            StopStream();
            Run = Run with { Publishing = false }; // a pending failure ends with the event below
            var failure = new JobFailure(FailureKind.Infrastructure, step, null, message);
            if (!retryable || Job.CancelRequested || Job.Attempt >= settings.MaxAttempts)
            {
                Persist(new Failed(failure, null, now));
                Cleanup();
                return;
            }
            var server = Job.Placement!.Server;
            var workspace = Job.Workspace!;
            Persist(new AttemptFailed(Job.Attempt, server.Id, failure, now + settings.BackoffBefore(Job.Attempt + 1), now));
            // The old attempt is abandoned: stop its session, free its slot, and try to clear its
            // workspace in the background (the server may be gone; the next attempt does not wait).
            Do(new StopSession());
            Do(new Abandon(server, RemoteCommands.KillAndCleanup(jobId, workspace, settings.CancelGracePeriod)));
            ReleaseSlot(server.Id);
            RequestRetry();
        }

        /// <summary>Asks the queue for the next attempt, again every redelivery interval until it acknowledges.</summary>
        private void RequestRetry()
        {
            Info($"attempt {Job.Attempt + 1} will start after {Job.RetryNotBefore:O}, avoiding {string.Join(",", Job.FailedServers)}");
            SendRequeue();
            Do(new StartTimer(JobTimer.Requeue, settings.RedeliveryInterval, Periodic: true));
        }

        private void SendRequeue() =>
            Do(new TellQueue(new QueueCommands.Requeue(jobId, Job.Request!, Job.Attempt + 1, Job.FailedServers, Job.RetryNotBefore ?? now)));

        /// <summary>Gives a server's slot back, again every redelivery interval until the pool acknowledges.</summary>
        private void ReleaseSlot(string serverId)
        {
            var first = Run.Unreleased.IsEmpty;
            Run = Run with { Unreleased = Run.Unreleased.Add(serverId) };
            Do(new TellPool(new ServerPoolCommands.Release(jobId, serverId)));
            if (first) Do(new StartTimer(JobTimer.Release, settings.RedeliveryInterval, Periodic: true));
        }

        private void OnRemoteFailure(RemoteFailed f)
        {
            if (Job.Status.IsTerminal()) { FinishAfterCleanup(); return; } // cleanup could not reach the server
            if (Job.CancelRequested)
            {   // cannot reach the server to kill: record the cancel; the workspace stays for the operator
                Warn($"cancel could not reach the server: {f.Error}");
                Persist(new Cancelled(now));
                FinishAfterCleanup();
                return;
            }
            if (f.Call == RemoteCall.Status && Job.ProcessGroup is not null && Run.StreamRetries < settings.ReattachAttempts)
            {
                Run = Run with { StreamRetries = Run.StreamRetries + 1 };
                Warn($"status check failed ({f.Error}); retrying");
                Do(new StartTimer(JobTimer.RetryStatus, settings.ReattachDelay));
                return;
            }
            FailInfrastructure(Step, f.Error);
        }

        private void KillRemote()
        {
            StopStream();
            if (Job.Workspace is null) { Persist(new Cancelled(now)); FinishAfterCleanup(); return; }
            Do(new RunRemote(RemoteCall.Kill, RemoteCommands.Kill(Job.Workspace, settings.CancelGracePeriod)));
        }

        private void Cleanup()
        {
            var keep = Job.Request!.BuildConfig.KeepWorkspace && !Job.CancelRequested;
            if (keep || Job.Workspace is null) { FinishAfterCleanup(); return; }
            // Kill first: an attempt abandoned for an infrastructure or storage reason may still be running.
            Do(new RunRemote(RemoteCall.Cleanup, RemoteCommands.KillAndCleanup(jobId, Job.Workspace, settings.CancelGracePeriod)));
        }

        private void FinishAfterCleanup()
        {
            if (Job.CancelRequested && !Job.Status.IsTerminal()) Persist(new Cancelled(now));
            if (Job.Placement is { } placement) ReleaseSlot(placement.Server.Id);
            Do(new StopSession());
            Info(Step);
            CallWebhooks();
            PushToKcidb();
            Do(new PassivateWhenIdle());
        }

        /// <summary>Starts a delivery for each webhook that wants this end state and has no recorded outcome yet.</summary>
        private void CallWebhooks()
        {
            if (!Job.Exists || !Job.Status.IsTerminal()) return;
            var hooks = Job.Request!.Webhooks;
            for (var i = 0; i < hooks.Count; i++)
            {
                var index = i;
                if (!WebhookPayload.Wants(hooks[i], Job.Status) || Job.WebhookDeliveries.Any(d => d.Index == index) || Run.Delivering.Contains(i)) continue;
                Run = Run with { Delivering = Run.Delivering.Add(i) };
                Do(new CallWebhook(i));
            }
        }

        /// <summary>
        /// Pushes a build that ended with a verdict (completed or failed) to KCIDB when a submit URL is
        /// set, unless its push has an outcome already or is on its way. A cancelled job is not pushed:
        /// a person stopped it, which says nothing about the code.
        /// </summary>
        private void PushToKcidb()
        {
            if (!settings.Kcidb.Pushes || !Job.Exists || Job.Status is not (JobStatus.Completed or JobStatus.Failed)) return;
            if (Job.KcidbDelivery is not null || Run.Pushing) return;
            Run = Run with { Pushing = true };
            Do(new PushKcidb());
        }
    }
}
