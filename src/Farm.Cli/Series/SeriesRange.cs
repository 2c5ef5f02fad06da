using System.Text.RegularExpressions;

namespace KernelFarm.Cli.Series;

/// <summary>`series submit --range BASE..HEAD`: two full commit ids, as the farm takes them.</summary>
public static partial class SeriesRange
{
    /// <summary>The range as sent ("base..head", lower case); a usage error unless it is two full 40-digit commit ids.</summary>
    public static string Parse(string text)
    {
        var m = Form().Match(text.Trim());
        if (!m.Success)
            throw CliException.Usage($"--range '{text}': expected BASE..HEAD as two full 40-digit commit ids (git rev-parse BASE HEAD prints them)");
        return $"{m.Groups[1].Value.ToLowerInvariant()}..{m.Groups[2].Value.ToLowerInvariant()}";
    }

    [GeneratedRegex("^([0-9a-fA-F]{40})\\.\\.([0-9a-fA-F]{40})$")]
    private static partial Regex Form();
}
