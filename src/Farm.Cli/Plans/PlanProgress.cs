using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Plans;

/// <summary>
/// The display while `plans submit --wait` waits: on a terminal the matrix and the counts redrawn
/// in place; otherwise a line per build whose state changed (and the counts every
/// <see cref="PlainEvery"/> while none does).
/// </summary>
public sealed class PlanProgress(TextWriter writer, bool terminal, Func<int> width)
{
    public static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(30);

    private IReadOnlyList<PlanBuild>? _last;
    private TimeSpan _lastPrinted;
    private int _drawnLines;

    public void Show(JsonNode plan)
    {
        if (terminal) { Draw(Frame(plan, width())); return; }
        var builds = PlanBuild.All(plan);
        var elapsed = PlanView.Duration(plan) ?? TimeSpan.Zero;
        if (_last is null) _lastPrinted = elapsed;
        var lines = _last is null ? [] : Changes(_last, builds);
        _last = builds;
        if (lines.Count == 0 && elapsed - _lastPrinted < PlainEvery) return;
        foreach (var line in lines.Count > 0 ? lines : [PlanView.Summary(plan)]) writer.WriteLine(line);
        writer.Flush();
        _lastPrinted = elapsed;
    }

    /// <summary>The plan has ended: the last changes as lines, or the live display erased.</summary>
    public void Finish(JsonNode plan)
    {
        if (terminal) { Clear(); return; }
        if (_last is not null)
            foreach (var line in Changes(_last, PlanBuild.All(plan))) writer.WriteLine(line);
        writer.Flush();
    }

    /// <summary>"x86_64 tinyconfig: building" for each build whose state differs from before (with its path where its cell is shared).</summary>
    public static IReadOnlyList<string> Changes(IReadOnlyList<PlanBuild> before, IReadOnlyList<PlanBuild> now)
    {
        var matrix = new PlanMatrix(now);
        var was = before.GroupBy(b => b.Index).ToDictionary(g => g.Key, g => g.First().State);
        return now.Where(b => !was.TryGetValue(b.Index, out var state) || state != b.State)
            .Select(b => $"{b.Arch} {matrix.ColumnOf(b)}{(matrix.Shared(b) ? $" ({b.Path})" : "")}: {b.State}")
            .ToList();
    }

    /// <summary>The terminal's frame: the matrix and the summary, each line cut to the width so that none wraps.</summary>
    public static IReadOnlyList<string> Frame(JsonNode plan, int width)
    {
        var max = Math.Max(20, width - 1);
        return PlanView.MatrixAndSummary(plan, max).TrimEnd('\n').Split('\n')
            .Select(l => l.Length > max ? l[..(max - 1)] + "…" : l).ToList();
    }

    private void Draw(IReadOnlyList<string> lines)
    {
        Clear();
        foreach (var line in lines) writer.Write(line + "\n");
        writer.Flush();
        _drawnLines = lines.Count;
    }

    /// <summary>Moves back to the frame's first line and erases to the end of the screen.</summary>
    private void Clear()
    {
        if (_drawnLines == 0) return;
        writer.Write($"\u001b[{_drawnLines}A\r\u001b[J");
        writer.Flush();
        _drawnLines = 0;
    }
}
