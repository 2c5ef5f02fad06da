using System.Globalization;

namespace KernelFarm.Actors.Series;

/// <summary>The per-symbol rows of scripts/bloat-o-meter's output, biggest changes first.</summary>
public static class BloatTable
{
    public sealed record Row(string Symbol, long? Old, long? New, long Delta);

    public static IReadOnlyList<Row> Parse(string output, int top = 20)
    {
        var rows = new List<Row>();
        foreach (var raw in output.Split('\n'))
        {
            var words = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 4 || words[0] is "Function" or "Data" or "RO" || raw.StartsWith("add/remove", StringComparison.Ordinal)) continue;
            if (!long.TryParse(words[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var delta)) continue;
            rows.Add(new(words[0], Size(words[1]), Size(words[2]), delta));
        }
        return rows.OrderByDescending(r => Math.Abs(r.Delta)).ThenBy(r => r.Symbol, StringComparer.Ordinal).Take(top).ToList();
    }

    private static long? Size(string word) => long.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
