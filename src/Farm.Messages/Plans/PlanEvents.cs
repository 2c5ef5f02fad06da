namespace KernelFarm.Messages.Plans;

/// <summary>What a plan's actor persists (persistence id plan-&lt;id&gt;).</summary>
public static class PlanEvents
{
    public interface IPlanEvent : IFarmMessage;

    /// <summary>The plan as accepted: every build with its job id decided, before any job is queued.</summary>
    public sealed record Accepted(string PlanId, string? Name, string? Description, string GitRepo, string GitRef, string? GitSha,
        string? SubmittedBy, IReadOnlyList<PlanBuild> Builds, DateTimeOffset At) : IPlanEvent;

    /// <summary>The queue accepted the build's job (under the plan's idempotency key, so a repeat after a crash finds it).</summary>
    public sealed record BuildQueued(int Index, DateTimeOffset At) : IPlanEvent;

    public sealed record CancelRequested(DateTimeOffset At) : IPlanEvent;

    /// <summary>Every build has ended (or was never queued: cancelled before, or unsupported).</summary>
    public sealed record Ended(DateTimeOffset At) : IPlanEvent;
}
