using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>
/// Where the job index keeps its rows and its read-journal offset, together: <see cref="ApplyAsync"/>
/// writes both in one transaction, so a crash never loses an event nor applies one twice. Several
/// nodes may apply the same entries at once (a cluster shares one database): each entry lands once.
/// </summary>
public interface IJobIndexStore
{
    /// <summary>Creates the tables (emptying them when they hold another <see cref="JobProjection.Version"/>) and returns the stored offset: the journal is read after it.</summary>
    Task<long> StartAsync(CancellationToken ct = default);

    /// <summary>Applies the entries after the stored offset and stores the last one's; returns the stored offset.</summary>
    Task<long> ApplyAsync(IReadOnlyList<JournalEntry> batch, CancellationToken ct = default);

    /// <summary>Jobs that match, newest first (ties by id, ordinal), <paramref name="limit"/> from <paramref name="offset"/>, and how many match.</summary>
    Task<JobIndexPage> ListAsync(JobFilter filter, int offset, int limit, CancellationToken ct = default);

    /// <summary>The newest completed job whose reuse key is one of these (result reuse), or null.</summary>
    Task<JobState?> FindResultAsync(IReadOnlyCollection<string> reuseKeys, CancellationToken ct = default);

    Task<bool> KnowsAsync(string jobId, CancellationToken ct = default);

    /// <summary>Jobs by status (statuses without jobs are left out).</summary>
    Task<IReadOnlyDictionary<JobStatus, int>> CountByStatusAsync(CancellationToken ct = default);

    /// <summary>Plans, newest first (ties by id), <paramref name="limit"/> from <paramref name="offset"/>, and how many there are.</summary>
    Task<(IReadOnlyList<Messages.Plans.PlanRecord> Plans, int Total)> ListPlansAsync(int offset, int limit, CancellationToken ct = default);

    /// <summary>As <see cref="DurationStats.ByArchitecture"/> over every job in the store.</summary>
    Task<IReadOnlyList<DurationStats.Summary>> DurationsAsync(DateTimeOffset since, CancellationToken ct = default);
}

public sealed record JobIndexPage(IReadOnlyList<JobState> Jobs, int Total);
