using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KernelFarm.Bench.Harness;

/// <summary>The printed table and the results file.</summary>
public static class Report
{
    private static readonly string[] Header = ["scenario", "measure", "value", "baseline", "ratio", "target", "met?"];

    public static string Table(IReadOnlyList<BenchRow> rows)
    {
        var cells = rows.Select(r => new[]
        {
            r.Scenario,
            r.Measure,
            BenchRow.Format(r.Value, r.Unit),
            r.Baseline is { } b ? $"{BenchRow.Format(b, r.Unit)} ({r.BaselineLabel})" : "—",
            r.Ratio is { } ratio ? ratio.ToString(ratio >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture) + "×" : "—",
            r.Target?.Text ?? "—",
            r.Met switch { true => "yes", false => "NO", null => "—" },
        }).ToList();
        var widths = Enumerable.Range(0, Header.Length).Select(i => cells.Select(c => c[i].Length).Append(Header[i].Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> c) =>
            sb.AppendLine("| " + string.Join(" | ", c.Select((s, i) => s.PadRight(widths[i]))) + " |");
        Line(Header);
        sb.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var c in cells) Line(c);
        var notes = rows.Where(r => r.Note is not null).ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var r in notes) sb.AppendLine($"- {r.Scenario} / {r.Measure}: {r.Note}");
        }
        return sb.ToString();
    }

    public static string Json(MachineFacts machine, bool quick, IReadOnlyList<string> scenarios, IReadOnlyList<BenchRow> rows,
        IReadOnlyList<string> failures, DateTimeOffset startedAt, TimeSpan duration)
    {
        var doc = new
        {
            started_at = startedAt,
            duration_s = Math.Round(duration.TotalSeconds, 1),
            mode = quick ? "quick" : "full",
            scenarios,
            machine = new
            {
                cores = machine.Cores,
                cpu_model = machine.CpuModel,
                ram_mib = machine.RamMiB,
                os = machine.Os,
                kernel = machine.Kernel,
                dotnet = machine.DotNet,
                gc = machine.GcMode,
                git_commit = machine.GitCommit,
                git_dirty = machine.GitDirty,
                load_average_at_start = machine.LoadAverageAtStart,
                load_average_at_end = machine.LoadAverageAtEnd,
            },
            rows = rows.Select(r => new
            {
                scenario = r.Scenario,
                measure = r.Measure,
                value = Math.Round(r.Value, 4),
                unit = r.Unit,
                baseline = r.Baseline is { } b ? Math.Round(b, 4) : (double?)null,
                baseline_is = r.BaselineLabel,
                ratio = r.Ratio is { } x ? Math.Round(x, 4) : (double?)null,
                target = r.Target?.Text,
                met = r.Met,
                note = r.Note,
            }),
            failures,
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
