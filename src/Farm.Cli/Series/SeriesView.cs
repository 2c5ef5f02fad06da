using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Series;

/// <summary>How a series (the API's SeriesReport JSON) looks in `series show` and at the end of `series submit --wait`.</summary>
public static class SeriesView
{
    /// <summary>Subjects are cut here so that a row stays on a line.</summary>
    public const int SubjectWidth = 50;

    /// <summary>The table, then the diagnostics of the steps that changed them, then the summary line.</summary>
    public static string Show(JsonNode report)
    {
        var sb = new StringBuilder(Table(report));
        var diagnostics = Diagnostics(report);
        if (diagnostics.Length > 0) sb.Append('\n').Append(diagnostics);
        return sb.Append('\n').Append(Summary(report)).Append('\n').ToString();
    }

    /// <summary>
    /// A row per step: its label, subject, state and build time; warnings and errors new/fixed against
    /// the step before (for the base: its totals); the vmlinux size change (text+data+bss); whether
    /// the config changed; the boot test's result. "-" where the report has nothing (yet).
    /// </summary>
    public static string Table(JsonNode report)
    {
        var patches = Patches(report);
        var table = new Table("STEP", "SUBJECT", "STATE", "TIME", "WARNINGS", "ERRORS", "SIZE", "CONFIG", "BOOT").AlignRight(3, 4, 5, 6);
        foreach (var s in SeriesStep.All(report))
            table.Add(Label(s, patches), Cut(s.Subject, SubjectWidth), s.State,
                s.Seconds is { } sec ? Durations.Format(TimeSpan.FromSeconds(sec)) : null,
                Change(s, s.Warnings, s.NewWarnings, s.FixedWarnings), Change(s, s.Errors, s.NewErrors, s.FixedErrors),
                s.IsBase || s.SizeDelta is not { } delta ? null : Signed(delta),
                s.IsBase || s.ConfigChanged is not { } changed ? null : changed ? "yes" : "no",
                s.Boot);
        return table.Render();
    }

    /// <summary>
    /// For each step with new or fixed warnings or errors (or the errors it did not build with), its
    /// label and subject, then a line per diagnostic: "new warning: init/main.c:2: message [-Wcpp]".
    /// </summary>
    public static string Diagnostics(JsonNode report)
    {
        var patches = Patches(report);
        var sb = new StringBuilder();
        foreach (var s in SeriesStep.All(report).Where(s => s.HasDiagnostics))
        {
            sb.Append(Label(s, patches)).Append(' ').Append(s.Subject).Append('\n');
            foreach (var d in s.FirstErrors) sb.Append("  error: ").Append(Describe(d)).Append('\n');
            foreach (var d in s.NewWarnings) sb.Append("  new warning: ").Append(Describe(d)).Append('\n');
            foreach (var d in s.FixedWarnings) sb.Append("  fixed warning: ").Append(Describe(d)).Append('\n');
            foreach (var d in s.OtherNewErrors) sb.Append("  new error: ").Append(Describe(d)).Append('\n');
            foreach (var d in s.FixedErrors) sb.Append("  fixed error: ").Append(Describe(d)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// One line: "series ID passed: 3 patches"; where it failed ("; [2/3] build-failed") or, while it
    /// runs, the step being built ("; [2/3] building").
    /// </summary>
    public static string Summary(JsonNode report)
    {
        var patches = Patches(report);
        var steps = SeriesStep.All(report);
        var result = Json.Str(report, "result") ?? Json.Str(report, "status") ?? "unknown";
        var count = Json.Long(report, "patches") is { } n ? Patches(n) : "patches not counted yet";
        var where = result == "running"
            ? steps.FirstOrDefault(s => s.Active) is { } active ? $"{Label(active, patches)} {active.State}" : Json.Str(report, "status")
            : steps.FirstOrDefault(s => s.Failed) is { } failed ? $"{Label(failed, patches)} {failed.State}" : null;
        return $"series {Json.Str(report, "id")} {result}: {count}{(where is null ? "" : $"; {where}")}";
    }

    /// <summary>Once submitted: "series ID queued: 3 patches", as `jobs submit` says "job ID queued" (a range's patches are counted later).</summary>
    public static string Accepted(JsonNode accepted)
    {
        var patches = Json.Long(accepted, "patches") is { } n ? $": {Patches(n)}" : "";
        return $"series {Json.Str(accepted, "id")} {Json.Str(accepted, "status") ?? "submitted"}{patches}";
    }

    /// <summary>"[base]" or "[2/3]".</summary>
    public static string Label(SeriesStep s, int patches) => s.IsBase ? "[base]" : $"[{s.Step}/{patches}]";

    /// <summary>file:line: message [option], as the farm's plain-text summary writes a diagnostic.</summary>
    public static string Describe(JsonNode d)
    {
        var file = Json.Str(d, "file") ?? "";
        var line = Json.Long(d, "line") ?? 0;
        var option = Json.Str(d, "option") ?? "";
        var where = line > 0 ? $"{file}:{line}: " : file.Length > 0 ? file + ": " : "";
        return where + (Json.Str(d, "message") ?? "") + (option.Length > 0 ? $" [{option}]" : "");
    }

    /// <summary>For a patch "+new/-fixed"; for the base its total; null where the step has no diagnostics (yet).</summary>
    private static string? Change(SeriesStep s, long? total, IReadOnlyList<JsonNode> added, IReadOnlyList<JsonNode> removed)
    {
        if (s.IsBase) return total?.ToString(CultureInfo.InvariantCulture);
        return total is null && added.Count == 0 && removed.Count == 0 ? null : $"+{added.Count}/-{removed.Count}";
    }

    /// <summary>The report's patch count, else the steps after the base.</summary>
    private static int Patches(JsonNode report) =>
        (int)(Json.Long(report, "patches") ?? Math.Max(0, Json.Array(report, "steps").Count - 1));

    private static string Patches(long n) => $"{n} patch{(n == 1 ? "" : "es")}";

    private static string Signed(long v) => v > 0 ? "+" + v.ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
