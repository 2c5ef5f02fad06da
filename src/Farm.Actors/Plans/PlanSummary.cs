using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// A plan's builds grouped by state, and its result: <c>pass</c> only when every supported build
/// completed, <c>fail</c> once every build has ended and one did not, null while builds run.
/// A build's state is its job's status, or <c>pending</c> (the queue has not accepted its job yet),
/// <c>unsupported</c>, or <c>cancelled</c> (the plan was cancelled before its job was queued).
/// </summary>
public static class PlanSummary
{
    public const string Pending = "pending", Unsupported = "unsupported", Cancelled = "cancelled";

    public sealed record Counts(int Queued, int Running, int Completed, int Failed, int Cancelled, int Unsupported);

    /// <param name="jobs">The known jobs' statuses by build index (jobs not asked yet are missing).</param>
    public static string StateOf(PlanRecord plan, PlanBuild build, IReadOnlyDictionary<int, JobStatus> jobs)
    {
        if (build.Unsupported is not null) return Unsupported;
        if (jobs.TryGetValue(build.Index, out var status)) return Name(status);
        if (plan.Queued.Contains(build.Index)) return Name(JobStatus.Queued);
        return plan.CancelRequestedAt is not null ? Cancelled : Pending;
    }

    public static Counts Count(PlanRecord plan, IReadOnlyDictionary<int, JobStatus> jobs)
    {
        var states = plan.Builds.Select(b => StateOf(plan, b, jobs)).ToList();
        int Of(Func<string, bool> p) => states.Count(p);
        return new Counts(
            Of(s => s is Pending || s == Name(JobStatus.Queued)),
            plan.Builds.Count(b => b.Unsupported is null && jobs.TryGetValue(b.Index, out var js) && js.IsOnServer()),
            Of(s => s == Name(JobStatus.Completed)),
            Of(s => s == Name(JobStatus.Failed)),
            Of(s => s == Cancelled),
            Of(s => s == Unsupported));
    }

    /// <summary>Every build has ended: its job is final, or it never had one (unsupported, or cancelled before it was queued).</summary>
    public static bool AllEnded(PlanRecord plan, IReadOnlyDictionary<int, JobStatus> jobs) =>
        plan.Builds.All(b => b.Unsupported is not null
                             || (jobs.TryGetValue(b.Index, out var status) ? status.IsTerminal()
                                 : !plan.Queued.Contains(b.Index) && plan.CancelRequestedAt is not null));

    /// <summary>"pass", "fail", or null while builds run.</summary>
    public static string? Result(PlanRecord plan, IReadOnlyDictionary<int, JobStatus> jobs)
    {
        if (!AllEnded(plan, jobs)) return null;
        var supported = plan.Builds.Where(b => b.Unsupported is null).ToList();
        return supported.Count > 0 && supported.All(b => StateOf(plan, b, jobs) == Name(JobStatus.Completed)) ? "pass" : "fail";
    }

    private static string Name(JobStatus s) => s.ToString().ToLowerInvariant();
}
