using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Series;

/// <summary>
/// The display while `series submit --wait` waits: on a terminal one line redrawn in place (the
/// summary: the step being built); otherwise a line per step whose state changed
/// ("[1/3] init: add a warning: building").
/// </summary>
public sealed class SeriesProgress(TextWriter writer, bool terminal, Func<int> width)
{
    private readonly StatusLine _line = new(writer, width);
    private IReadOnlyList<SeriesStep> _last = [];

    public void Show(JsonNode report)
    {
        if (terminal) { _line.Update(SeriesView.Summary(report)); return; }
        Print(report);
    }

    /// <summary>The series has ended: the last changes as lines, or the live line erased.</summary>
    public void Finish(JsonNode report)
    {
        if (terminal) { _line.Clear(); return; }
        Print(report);
    }

    private void Print(JsonNode report)
    {
        var steps = SeriesStep.All(report);
        var lines = Changes(_last, steps, (int)(Json.Long(report, "patches") ?? Math.Max(0, steps.Count - 1)));
        _last = steps;
        foreach (var line in lines) writer.WriteLine(line);
        writer.Flush();
    }

    /// <summary>"[2/3] subject: building" for each step whose state differs from before (a step not seen before: unless pending).</summary>
    public static IReadOnlyList<string> Changes(IReadOnlyList<SeriesStep> before, IReadOnlyList<SeriesStep> now, int patches)
    {
        var was = before.GroupBy(s => s.Step).ToDictionary(g => g.Key, g => g.First().State);
        return now.Where(s => was.TryGetValue(s.Step, out var state) ? state != s.State : s.State != "pending")
            .Select(s => $"{SeriesView.Label(s, patches)} {s.Subject}: {s.State}")
            .ToList();
    }
}
