namespace KernelFarm.Actors.Series;

/// <summary>
/// Options added, removed or changed between two .config files, as the kernel's
/// scripts/diffconfig reports them ("n" for "is not set").
/// </summary>
public sealed record ConfigDiff(IReadOnlyList<ConfigDiff.Option> Added, IReadOnlyList<ConfigDiff.Option> Removed, IReadOnlyList<ConfigDiff.Change> Changed)
{
    public sealed record Option(string Name, string Value);
    public sealed record Change(string Name, string Old, string New);

    public static ConfigDiff Between(string before, string after)
    {
        var a = Parse(before);
        var b = Parse(after);
        return new(
            b.Where(kv => !a.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Option(kv.Key, kv.Value)).ToList(),
            a.Where(kv => !b.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Option(kv.Key, kv.Value)).ToList(),
            a.Where(kv => b.TryGetValue(kv.Key, out var v) && v != kv.Value).OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new Change(kv.Key, kv.Value, b[kv.Key])).ToList());
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    /// <summary>Symbol (without CONFIG_) → value; "# CONFIG_X is not set" is "n".</summary>
    public static Dictionary<string, string> Parse(string config)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in config.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && line.IndexOf('=') is var eq and > 7)
                options[line[7..eq]] = line[(eq + 1)..];
            else if (line.StartsWith("# CONFIG_", StringComparison.Ordinal) && line.EndsWith(" is not set", StringComparison.Ordinal))
                options[line[9..^11]] = "n";
        }
        return options;
    }
}
