using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Plans;

/// <summary>What a plan's actor persists (persistence id plan-&lt;id&gt;).</summary>
public static class PlanEvents
{
    public interface IPlanEvent : IFarmMessage;

    /// <summary>The plan as accepted: every build with its job id decided, before any job is queued; its webhooks fire at its end.</summary>
    public sealed record Accepted(string PlanId, string? Name, string? Description, string GitRepo, string GitRef, string? GitSha,
        string? SubmittedBy, IReadOnlyList<PlanBuild> Builds, DateTimeOffset At) : IPlanEvent
    {
        public IReadOnlyList<Webhook> Webhooks { get; init; } = [];
    }

    /// <summary>The queue accepted the build's job (under the plan's idempotency key, so a repeat after a crash finds it).</summary>
    public sealed record BuildQueued(int Index, DateTimeOffset At) : IPlanEvent;

    public sealed record CancelRequested(DateTimeOffset At) : IPlanEvent;

    /// <summary>Every build has ended (or was never queued: cancelled before, or unsupported); "pass" or "fail".</summary>
    public sealed record Ended(string Result, DateTimeOffset At) : IPlanEvent;

    /// <summary>A webhook of the ended plan was delivered or given up: it is not called again.</summary>
    public sealed record WebhookDone(WebhookDelivery Delivery) : IPlanEvent;
}
