using System.Text;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Plans;

/// <summary>
/// A plan's builds as a matrix: a row per architecture, a column per config (the kconfig list
/// joined with '+'; toolchain and config when the plan uses several toolchains), both in the
/// order the plan file first names them. Each cell is its build's state; a cell several builds
/// share (the same architecture and config twice) shows each state with how many.
/// </summary>
public sealed class PlanMatrix
{
    private readonly Dictionary<(string Arch, string Column), List<PlanBuild>> _cells = [];

    public IReadOnlyList<string> Rows { get; }
    public IReadOnlyList<string> Columns { get; }
    public bool SeveralToolchains { get; }

    public PlanMatrix(IReadOnlyList<PlanBuild> builds)
    {
        SeveralToolchains = builds.Select(b => b.Toolchain).Distinct(StringComparer.Ordinal).Count() > 1;
        var rows = new List<string>();
        var columns = new List<string>();
        foreach (var b in builds)
        {
            var column = ColumnOf(b);
            if (!rows.Contains(b.Arch)) rows.Add(b.Arch);
            if (!columns.Contains(column)) columns.Add(column);
            if (!_cells.TryGetValue((b.Arch, column), out var list)) _cells[(b.Arch, column)] = list = [];
            list.Add(b);
        }
        Rows = rows;
        Columns = columns;
    }

    public string ColumnOf(PlanBuild b) => SeveralToolchains ? $"{b.Toolchain}:{b.Config}" : b.Config;

    /// <summary>The builds in a cell (none where the plan has no such build).</summary>
    public IReadOnlyList<PlanBuild> Builds(string arch, string column) =>
        _cells.TryGetValue((arch, column), out var list) ? list : [];

    /// <summary>Whether a build shares its cell with another, so that its state alone does not name it.</summary>
    public bool Shared(PlanBuild b) => Builds(b.Arch, ColumnOf(b)).Count > 1;

    /// <summary>"completed"; for a shared cell "completed x2, failed"; null for an empty cell.</summary>
    public string? Cell(string arch, string column)
    {
        var builds = Builds(arch, column);
        if (builds.Count == 0) return null;
        return string.Join(", ", builds.GroupBy(b => b.State, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}"));
    }

    /// <summary>
    /// The matrix as a table. Headed by the configs when that fits in <paramref name="width"/>;
    /// otherwise by numbers, with the configs in a legend below.
    /// </summary>
    public string Render(int width)
    {
        if (Rows.Count == 0) return "no builds\n";
        var named = Table(Columns);
        if (named.Split('\n').Max(l => l.Length) <= width) return named;
        var numbered = new StringBuilder(Table(Columns.Select((_, i) => $"[{i + 1}]").ToList()));
        for (var i = 0; i < Columns.Count; i++) numbered.Append($"[{i + 1}] {Columns[i]}\n");
        return numbered.ToString();
    }

    private string Table(IReadOnlyList<string> headers)
    {
        var table = new Table(["ARCH", .. headers]);
        foreach (var arch in Rows) table.Add([arch, .. Columns.Select(c => Cell(arch, c))]);
        return table.Render();
    }
}
