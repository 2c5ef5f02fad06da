using System.Text.Json;
using System.Text.Json.Serialization;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>
/// A job as the index stores it: the columns the list filters, orders and counts by (each derived
/// from the state exactly as <see cref="JobFilter.Matches"/> and <see cref="DurationStats"/> read it)
/// and the whole state, which is what a list page returns.
/// </summary>
public sealed record JobIndexRow(
    string Id,
    bool Listed,
    JobStatus Status,
    string? ServerId,
    string? Architecture,
    DateTimeOffset CreatedAt,
    TimeSpan? Duration,
    JobState State)
{
    public static JobIndexRow Of(string jobId, JobState state) => new(
        jobId,
        state.Exists,
        state.Status,
        state.Placement?.Server.Id,
        state.Request?.TargetArchitecture,
        state.CreatedAt,
        state.Status == JobStatus.Completed ? DurationStats.DurationOf(state) : null,
        state);

    /// <summary>
    /// The architecture as the filter compares it (ordinal, ignoring case): SQL compares this column
    /// with <see cref="Key"/> of the filter's value.
    /// </summary>
    public string? ArchitectureKey => Key(Architecture);

    public static string? Key(string? architecture) => architecture?.ToUpperInvariant();

    /// <summary>
    /// The state's document: FarmJson without the computed properties; unknown members are skipped so a
    /// document written before a field was dropped still reads (a change of meaning bumps <see cref="JobProjection.Version"/>).
    /// </summary>
    private static readonly JsonSerializerOptions DocumentOptions = new(FarmJson.Options)
    {
        IgnoreReadOnlyProperties = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public string Document() => JsonSerializer.Serialize(State, DocumentOptions);

    public static JobState ReadDocument(string json) =>
        JsonSerializer.Deserialize<JobState>(json, DocumentOptions) ?? throw new JsonException("a job index document is null");
}
