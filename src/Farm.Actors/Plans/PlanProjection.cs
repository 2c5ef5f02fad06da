using System.Text.Json;
using System.Text.Json.Serialization;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// The plans' rows of the index (for the list of plans), as a function like <see cref="JobProjection"/>:
/// the entries of a batch that are plan events, and the stored records of the plans they touch, in;
/// the records to write out. The job index applies both in the same transaction, under one offset.
/// </summary>
public static class PlanProjection
{
    private const string PlanPrefix = "plan-";

    public static string? PlanIdOf(JournalEntry entry) =>
        entry.Event is PlanEvents.IPlanEvent && entry.PersistenceId.StartsWith(PlanPrefix, StringComparison.Ordinal)
            ? entry.PersistenceId[PlanPrefix.Length..]
            : null;

    public static IReadOnlySet<string> Touched(IEnumerable<JournalEntry> batch, long stored) =>
        batch.Where(e => e.Ordering > stored).Select(PlanIdOf).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The changed plans' records (entries at or before <paramref name="stored"/> are already applied).</summary>
    public static IReadOnlyList<PlanRecord> Apply(IEnumerable<JournalEntry> batch, long stored, IReadOnlyDictionary<string, PlanRecord> current)
    {
        var changed = new Dictionary<string, PlanState>(StringComparer.Ordinal);
        foreach (var entry in batch.Where(e => e.Ordering > stored).OrderBy(e => e.Ordering))
        {
            if (PlanIdOf(entry) is not { } id) continue;
            var state = changed.TryGetValue(id, out var s) ? s : current.TryGetValue(id, out var r) ? PlanState.Of(r) : PlanState.Empty;
            changed[id] = state.Apply((PlanEvents.IPlanEvent)entry.Event);
        }
        return changed.Values.Where(s => s.Exists).Select(s => s.Record!).ToList();
    }

    private static readonly JsonSerializerOptions DocumentOptions = new(FarmJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>A record as the index stores it (its requests and webhooks left out: the list needs neither, and webhook headers are secrets).</summary>
    public static string Document(PlanRecord plan) => JsonSerializer.Serialize(plan with
    {
        Webhooks = [],
        Builds = plan.Builds.Select(b => b with { Request = null }).ToList(),
    }, DocumentOptions);

    public static PlanRecord ReadDocument(string json) =>
        JsonSerializer.Deserialize<PlanRecord>(json, DocumentOptions) ?? throw new JsonException("a plan index document is null");
}
