using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Series;

/// <summary>One step of a series as the report shows it (SeriesReport.steps[]): the base (0) or a patch, read leniently.</summary>
public sealed record SeriesStep(int Step, string Subject, string State, long? Seconds, long? Warnings, long? Errors,
    IReadOnlyList<JsonNode> NewWarnings, IReadOnlyList<JsonNode> FixedWarnings, IReadOnlyList<JsonNode> NewErrors,
    IReadOnlyList<JsonNode> FixedErrors, IReadOnlyList<JsonNode> FirstErrors, long? SizeDelta, bool? ConfigChanged, string? Boot)
{
    public static SeriesStep From(JsonNode s) => new(
        (int)(Json.Long(s, "step") ?? -1), Json.Str(s, "subject") ?? "", Json.Str(s, "state") ?? "unknown", Json.Long(s, "seconds"),
        Json.Long(s, "warnings"), Json.Long(s, "errors"),
        Json.Array(s, "new_warnings"), Json.Array(s, "fixed_warnings"), Json.Array(s, "new_errors"), Json.Array(s, "fixed_errors"),
        Json.Array(s, "first_errors"), Total(s["size_delta"]), Changed(s["config"]), Json.Str(s["boot"], "status"));

    public static IReadOnlyList<SeriesStep> All(JsonNode? report) => Json.Array(report, "steps").Select(From).ToList();

    public bool IsBase => Step == 0;

    /// <summary>A step that did not build or apply (or whose job failed): what makes the series fail.</summary>
    public bool Failed => State is "build-failed" or "apply-failed" or "failed";

    /// <summary>A step the farm is working on now.</summary>
    public bool Active => State is "applying" or "building";

    /// <summary>Diagnostics to list under the table: new or fixed warnings or errors, or the errors of a step that did not build.</summary>
    public bool HasDiagnostics => NewWarnings.Count + FixedWarnings.Count + NewErrors.Count + FixedErrors.Count + FirstErrors.Count > 0;

    /// <summary>New errors that are not among <see cref="FirstErrors"/> (listed already).</summary>
    public IEnumerable<JsonNode> OtherNewErrors => NewErrors.Where(e => !FirstErrors.Any(f => JsonNode.DeepEquals(e, f)));

    /// <summary>text + data + bss of size_delta; null without one.</summary>
    private static long? Total(JsonNode? delta) =>
        delta is JsonObject ? (Json.Long(delta, "text") ?? 0) + (Json.Long(delta, "data") ?? 0) + (Json.Long(delta, "bss") ?? 0) : null;

    /// <summary>Whether the config diff against the step before has an option added, removed or changed; null without one.</summary>
    private static bool? Changed(JsonNode? config) =>
        config is JsonObject ? Json.Array(config, "added").Count + Json.Array(config, "removed").Count + Json.Array(config, "changed").Count > 0 : null;
}
