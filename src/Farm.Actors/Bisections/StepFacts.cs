using KernelFarm.Actors.Series;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// What an ended job says about its commit: how it ended, the diagnostics of its log, its boot
/// result and vmlinux's text size (metadata.json), where and how long it ran.
/// </summary>
public sealed record StepFacts
{
    public JobStatus Status { get; init; }
    public JobFailure? Failure { get; init; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];
    /// <summary>The log's last lines: what a failure without diagnostics shows.</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];
    public BootResult? Boot { get; init; }
    public long? TextSize { get; init; }
    public string? Server { get; init; }
    public double? DurationS { get; init; }
    public bool Reused { get; init; }

    /// <summary>A diagnostic as the compiler printed it (paths relative to the tree).</summary>
    public static string Render(Diagnostic d) =>
        (d.Line > 0 ? $"{d.File}:{d.Line}:{(d.Column > 0 ? d.Column + ":" : "")} " : $"{d.File}: ")
        + $"{d.Severity}: {d.Message}{(d.Option.Length > 0 ? $" [{d.Option}]" : "")}";

    /// <summary>The facts of a job from its record and the text of its published log and metadata.json.</summary>
    public static StepFacts Of(JobRecord job, string? log, string? metadataJson)
    {
        var lines = (log ?? "").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var tail = lines.Where(l => l.Length > 0 && !l.StartsWith("==> kfarm", StringComparison.Ordinal)).TakeLast(12).ToList();
        var transitions = job.Transitions;
        var start = transitions.FirstOrDefault(t => t.Status == JobStatus.Assigned)?.At;
        var end = transitions.LastOrDefault(t => t.Status.IsTerminal())?.At;
        return new StepFacts
        {
            Status = job.Status,
            Failure = job.Failure,
            Diagnostics = Diagnostic.Parse(log ?? ""),
            LogTail = tail,
            Boot = job.Boot,
            TextSize = TextSizeOf(metadataJson),
            Server = job.ServerId,
            DurationS = start is { } s && end is { } e ? Math.Round((e - s).TotalSeconds, 1) : null,
            Reused = job.ReusedFrom is not null,
        };
    }

    private static long? TextSizeOf(string? metadataJson)
    {
        if (string.IsNullOrWhiteSpace(metadataJson)) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(metadataJson);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("vmlinux", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Object
                && v.TryGetProperty("text_size", out var t) && t.TryGetInt64(out var size)
                ? size : null;
        }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
