using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Bisections;

/// <summary>What a bisection's actor persists (persistence id bisection-&lt;id&gt;).</summary>
public static class BisectionEvents
{
    public interface IBisectionEvent : IFarmMessage;

    public sealed record Accepted(string BisectionId, BisectionRequest Request, string? SubmittedBy, IReadOnlyList<Webhook> Webhooks, DateTimeOffset At) : IBisectionEvent;

    /// <summary>A step's job id decided before its job is queued (under <c>kfarm-bisect:&lt;id&gt;:&lt;number&gt;</c>: a repeat finds it).</summary>
    public sealed record StepPlanned(int Number, int Round, StepRole Role, int? Index, string JobId, DateTimeOffset At) : IBisectionEvent;

    public sealed record StepQueued(int Number, DateTimeOffset At) : IBisectionEvent;

    /// <summary>The range as the listing step found it (good first, bad last).</summary>
    public sealed record RangeListed(IReadOnlyList<BisectCommit> Commits, DateTimeOffset At) : IBisectionEvent;

    public sealed record StepJudged(int Number, Verdict Verdict, string Detail, IReadOnlyList<string> Excerpt, double? DurationS, string? Server,
        bool Reused, DateTimeOffset At) : IBisectionEvent;

    public sealed record CancelRequested(DateTimeOffset At) : IBisectionEvent;

    public sealed record Ended(BisectOutcome Outcome, DateTimeOffset At) : IBisectionEvent;

    public sealed record WebhookDone(WebhookDelivery Delivery) : IBisectionEvent;
}
