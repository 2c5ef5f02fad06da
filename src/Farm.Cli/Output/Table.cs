using System.Text;

namespace KernelFarm.Cli.Output;

public enum Align { Left, Right }

/// <summary>
/// A plain-text table: a header row and rows, each column as wide as its widest cell, two spaces
/// between columns, no trailing spaces. Null cells print as "-".
/// </summary>
public sealed class Table
{
    private readonly string[] _headers;
    private readonly Align[] _align;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers)
    {
        if (headers.Length == 0) throw new ArgumentException("a table needs at least one column", nameof(headers));
        _headers = headers;
        _align = new Align[headers.Length];
    }

    public int Count => _rows.Count;

    public Table AlignRight(params int[] columns)
    {
        foreach (var c in columns) _align[c] = Align.Right;
        return this;
    }

    public Table Add(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        _rows.Add(cells.Select(Clean).ToArray());
        return this;
    }

    public string Render()
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        Line(sb, _headers, widths);
        foreach (var row in _rows) Line(sb, row, widths);
        return sb.ToString();
    }

    private void Line(StringBuilder sb, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) line.Append("  ");
            var last = i == cells.Length - 1;
            line.Append(_align[i] == Align.Right ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]));
        }
        sb.Append(line.ToString().TrimEnd()).Append('\n');
    }

    // a cell is one line: a newline or tab inside it would break the columns
    private static string Clean(string? cell) =>
        string.IsNullOrEmpty(cell) ? "-" : cell.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
}
