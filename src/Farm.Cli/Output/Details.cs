using System.Text;

namespace KernelFarm.Cli.Output;

/// <summary>"label: value" lines with the values aligned, for the show commands. Null values are skipped.</summary>
public sealed class Details
{
    private readonly List<(string Label, string Value)> _lines = [];

    public Details Add(string label, string? value)
    {
        if (!string.IsNullOrEmpty(value)) _lines.Add((label, value));
        return this;
    }

    public string Render()
    {
        if (_lines.Count == 0) return "";
        var width = _lines.Max(l => l.Label.Length) + 1;
        var sb = new StringBuilder();
        foreach (var (label, value) in _lines)
        {
            var lines = value.Replace("\r\n", "\n").Split('\n');
            sb.Append((label + ":").PadRight(width)).Append(' ').Append(lines[0]).Append('\n');
            foreach (var more in lines.Skip(1)) sb.Append(new string(' ', width + 1)).Append(more).Append('\n');
        }
        return sb.ToString();
    }
}
