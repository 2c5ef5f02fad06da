using KernelFarm.Actors.Validation;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// A fetched config fragment file as the lines a job takes: <c>CONFIG_X=…</c> and
/// <c># CONFIG_X is not set</c> lines, each checked as the job validator checks an inline fragment;
/// blank lines and other comments are dropped. The lines go into the job's request, so the job
/// builds exactly what was fetched at submission (and its reuse key covers it).
/// </summary>
public static class KconfigFragmentText
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxLines = 1000;

    public static (IReadOnlyList<string>? Lines, string? Error) Parse(string text)
    {
        var lines = new List<string>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#') && !Execution.ConfigureSteps.IsInline(line)) continue; // a comment, not "# CONFIG_X is not set"
            if (!JobRequestValidator.IsInlineKconfigFragment(line))
                return (null, $"line {number} is not a CONFIG_ line the farm accepts ({Shorten(line)})");
            lines.Add(line);
            if (lines.Count > MaxLines) return (null, $"has more than {MaxLines} CONFIG_ lines");
        }
        return lines.Count == 0 ? (null, "has no CONFIG_ lines") : (lines, null);
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
