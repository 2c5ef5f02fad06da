using System.Globalization;
using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Series;

/// <summary>
/// Where a series stands, read from the "==> kfarm: series …" markers the agent prints into the
/// job's log (the build cannot forge them: its output passes a filter). Works on the live log.
/// </summary>
/// <param name="Warm">The series started from the tree an earlier series of its kind left on the server.</param>
public sealed record SeriesProgress(int? Count, IReadOnlyDictionary<int, SeriesProgress.Step> Steps, bool Warm = false)
{
    public sealed record Step(string State, int? Seconds, string? Subject);

    public static readonly IReadOnlySet<string> FinalStates = new HashSet<string>(StringComparer.Ordinal)
        { "passed", "build-failed", "apply-failed", "skipped" };

    public static SeriesProgress Parse(string log)
    {
        int? count = null;
        var warm = false;
        var steps = new Dictionary<int, Step>();
        foreach (var raw in log.Split('\n'))
        {
            if (!raw.StartsWith(SeriesScript.Marker, StringComparison.Ordinal)) continue;
            var rest = raw[SeriesScript.Marker.Length..].TrimEnd('\r');
            var words = rest.Split(' ', 3);
            if (words is ["warm", "1"])
            {
                warm = true;
                continue;
            }
            if (words.Length >= 2 && words[0] == "count" && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                count = n;
                continue;
            }
            if (words.Length < 2 || !int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step)) continue;
            var known = steps.GetValueOrDefault(step) ?? new Step("pending", null, null);
            if (words[1] == "subject")
                steps[step] = known with { Subject = words.Length > 2 ? words[2] : "" };
            else if (words[1] is "pending" or "applying" or "building")
                steps[step] = known with { State = words[1] };
            else if (FinalStates.Contains(words[1]))
                steps[step] = known with
                {
                    State = words[1],
                    Seconds = words.Length > 2 && int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null,
                };
        }
        return new(count, steps, warm);
    }
}
