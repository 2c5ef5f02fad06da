using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>
/// The index's projection as a function: a batch of journal entries and the stored states of the
/// jobs they touch in, the rows to write and the offset to store with them out. No I/O, so what the
/// index holds for a job is tested without a database; the store only loads, writes and commits.
/// </summary>
public static class JobProjection
{
    /// <summary>
    /// The rows' meaning. A store that finds another version empties itself and replays the journal
    /// from the start: change this when a row's columns or its document change meaning.
    /// </summary>
    public const int Version = 1;

    private const string JobPrefix = "job-";

    /// <summary>The job an entry is about, or null for an event the index does not read (not a job's, or not a job event).</summary>
    public static string? JobIdOf(JournalEntry entry) =>
        entry.Event is IJobEvent && entry.PersistenceId.StartsWith(JobPrefix, StringComparison.Ordinal)
            ? entry.PersistenceId[JobPrefix.Length..]
            : null;

    /// <summary>The jobs the entries after <paramref name="stored"/> touch: the rows to load before <see cref="Apply"/>.</summary>
    public static IReadOnlySet<string> Touched(IEnumerable<JournalEntry> batch, long stored) =>
        batch.Where(e => e.Ordering > stored).Select(JobIdOf).OfType<string>().ToHashSet(StringComparer.Ordinal);

    public sealed record Result(IReadOnlyList<JobIndexRow> Rows, long Offset);

    /// <summary>
    /// Applies the entries after <paramref name="stored"/> (those at or before it are already in the
    /// store: a replayed or concurrently applied batch changes nothing) in journal order.
    /// </summary>
    /// <param name="current">The stored state of each touched job that has a row.</param>
    public static Result Apply(IEnumerable<JournalEntry> batch, long stored, IReadOnlyDictionary<string, JobState> current)
    {
        var changed = new Dictionary<string, JobState>(StringComparer.Ordinal);
        var offset = stored;
        foreach (var entry in batch.Where(e => e.Ordering > stored).OrderBy(e => e.Ordering))
        {
            offset = entry.Ordering;
            if (JobIdOf(entry) is not { } id) continue;
            var state = changed.TryGetValue(id, out var s) ? s : current.GetValueOrDefault(id, JobState.Empty);
            changed[id] = state.Apply((IJobEvent)entry.Event);
        }
        return new Result(changed.Select(c => JobIndexRow.Of(c.Key, c.Value)).ToList(), offset);
    }
}
