using Akka.Actor;
using Akka.Event;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Jobs;

/// <summary>The remote commands a job runs over its SSH session; each answer comes back tagged with its call and attempt.</summary>
public enum RemoteCall { Launch, Status, Kill, Cleanup, Boot, Abandon }

/// <summary>A job's timers, by what they are for (one of each at a time).</summary>
public enum JobTimer
{
    /// <summary>The build's time limit, counted from its launch.</summary>
    TimeLimit,
    /// <summary>Check the build's status again after a broken log stream or a failed status check.</summary>
    RetryStatus,
    /// <summary>Re-send the retry request until the queue acknowledges it.</summary>
    Requeue,
    /// <summary>Re-send slot releases until the pool acknowledges them.</summary>
    Release,
    /// <summary>Stop waiting for the queue's answer to a Recall.</summary>
    Recall,
}

/// <summary>What a reply says; the actor renders it against the state after the turn's events are applied.</summary>
public abstract record JobReply
{
    public sealed record View : JobReply;
    public sealed record Created : JobReply;
    public sealed record Started(int Attempt) : JobReply;
    public sealed record NotFound : JobReply;
    public sealed record AlreadyFinished : JobReply;
}

/// <summary>What the job process asks its actor to do once the turn's events are persisted, in order.</summary>
public abstract record JobEffect
{
    /// <summary>Run a command on this attempt's server over the attempt's session (opened on first use).</summary>
    /// <param name="Input">Bytes for the command's stdin (a series' mbox for the launcher); null: none.</param>
    public sealed record RunRemote(RemoteCall Call, string Command, TimeSpan? Timeout = null, byte[]? Input = null) : JobEffect;
    public sealed record StopSession : JobEffect;
    /// <summary>Kill and clear an abandoned attempt's workspace over a session of its own; nothing waits for it.</summary>
    public sealed record Abandon(BuildServer Server, string Command) : JobEffect;
    /// <summary>(Re)start tailing the remote build log into the central log.</summary>
    public sealed record StartLogStream : JobEffect;
    public sealed record StopLogStream : JobEffect;
    /// <summary>Publish into storage: the log, metadata and reproducer always, the build's artifacts when asked.
    /// Failure: the failure this publication is for (named in metadata.json), null for a success.</summary>
    public sealed record Publish(bool IncludeArtifacts, JobFailure? Failure) : JobEffect;
    /// <summary>Look for a completed build with the job's inputs (<see cref="Reuse.ReuseKey"/>); answered by <see cref="JobInputs.ResultLookedUp"/>.</summary>
    public sealed record LookUpResult : JobEffect;
    /// <summary>Publish the source's result as this job's folder (hard links, never a transfer); answered by ResultCopied or ResultCopyFailed.</summary>
    public sealed record CopyResult(JobState Source, string Key) : JobEffect;
    public sealed record StartTimer(JobTimer Timer, TimeSpan Delay, bool Periodic = false) : JobEffect;
    public sealed record CancelTimer(JobTimer Timer) : JobEffect;
    public sealed record TellQueue(object Message) : JobEffect;
    public sealed record TellPool(object Message) : JobEffect;
    /// <summary>A reply to someone other than the current sender (a command that waited for a Recall).</summary>
    public sealed record Answer(IActorRef To, JobReply Reply) : JobEffect;
    public sealed record AnswerQueue(JobReply Reply) : JobEffect;
    /// <summary>Deliver the job's webhook with this index (its outcome comes back as <see cref="WebhookSender.Outcome"/>).</summary>
    public sealed record CallWebhook(int Index) : JobEffect;
    /// <summary>Push the ended build to the KCIDB submit URL (its outcome comes back as <see cref="Kcidb.KcidbSender.Outcome"/>).</summary>
    public sealed record PushKcidb : JobEffect;
    /// <summary>Passivate after a quiet while (an ended or unknown job).</summary>
    public sealed record PassivateWhenIdle : JobEffect;
    public sealed record Passivate : JobEffect;
    public sealed record Log(LogLevel Level, string Message) : JobEffect;
}
