using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// How long completed jobs took, per architecture: from the first time a job went onto a server
/// (its first transition into an on-server state, i.e. assigned) until it completed. Time spent
/// queued is left out; time spent on attempts that failed and were retried is kept in, since the
/// submitter waited for it too.
/// </summary>
public static class DurationStats
{
    public sealed record Summary(string Architecture, int Count, TimeSpan P50, TimeSpan P90, TimeSpan Max);

    /// <summary>Completed jobs created at or after <paramref name="since"/>, grouped by architecture, sorted by it.</summary>
    public static IReadOnlyList<Summary> ByArchitecture(IEnumerable<JobState> jobs, DateTimeOffset since)
    {
        var completed = new JobFilter(Status: JobStatus.Completed, Since: since);
        return jobs.Where(completed.Matches)
            .Select(j => (Architecture: j.Request!.TargetArchitecture, Duration: DurationOf(j)))
            .Where(d => d.Duration is not null)
            .GroupBy(d => d.Architecture, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var sorted = g.Select(d => d.Duration!.Value).Order().ToList();
                return new Summary(g.Key, sorted.Count, NearestRank(sorted, 50), NearestRank(sorted, 90), sorted[^1]);
            })
            .ToList();
    }

    /// <summary>First arrival on a server to completion; null for a job that never completed that way.</summary>
    public static TimeSpan? DurationOf(JobState job)
    {
        var started = job.Transitions.FirstOrDefault(t => t.Status.IsOnServer());
        var completed = job.Transitions.LastOrDefault(t => t.Status == JobStatus.Completed);
        if (started is null || completed is null || completed.At < started.At) return null;
        return completed.At - started.At;
    }

    /// <summary>The nearest-rank percentile: the smallest value with at least p% of the values at or below it.</summary>
    public static TimeSpan NearestRank(IReadOnlyList<TimeSpan> sorted, int percent)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        return sorted[NearestRankIndex(sorted.Count, percent)];
    }

    /// <summary>Where the nearest-rank percentile sits among <paramref name="count"/> sorted values (0-based): a store reads that one row.</summary>
    public static int NearestRankIndex(int count, int percent) => Math.Clamp((int)Math.Ceiling(percent / 100.0 * count), 1, count) - 1;
}
