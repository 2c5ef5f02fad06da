using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// What the build script reported about itself in its log (fact and target markers), and the
/// compiler's error and warning lines counted the way TuxMake counts them. Parsed from the
/// central log of the job's last attempt.
/// </summary>
public sealed record BuildLogFacts(
    IReadOnlyDictionary<string, string> Facts,
    IReadOnlyList<BuildLogFacts.TargetResult> Targets,
    int Errors,
    int Warnings)
{
    public sealed record TargetResult(string Name, bool Passed, int Seconds);

    public static readonly BuildLogFacts None = new(new Dictionary<string, string>(), [], 0, 0);

    public string? Fact(string name) => Facts.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public static BuildLogFacts Parse(string log)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        var targets = new List<TargetResult>();
        int errors = 0, warnings = 0;
        foreach (var raw in log.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(BuildScript.FactMarker, StringComparison.Ordinal))
            {
                var fact = line[BuildScript.FactMarker.Length..];
                var eq = fact.IndexOf('=');
                if (eq > 0) facts[fact[..eq]] = fact[(eq + 1)..]; // the last report wins
            }
            else if (line.StartsWith(BuildScript.TargetMarker, StringComparison.Ordinal))
            {
                var parts = line[BuildScript.TargetMarker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 3 && parts[1] is "PASS" or "FAIL" && int.TryParse(parts[2], out var seconds))
                {
                    targets.RemoveAll(t => t.Name == parts[0]);
                    targets.Add(new TargetResult(parts[0], parts[1] == "PASS", seconds));
                }
            }
            else if (IsError(line)) errors++;
            else if (IsWarning(line)) warnings++;
        }
        return new BuildLogFacts(facts, targets, errors, warnings);
    }

    // gcc/clang "file:line:col: error: …", "fatal error:", the linker's and modpost's "ERROR:".
    private static bool IsError(string line) =>
        line.Contains(": error:", StringComparison.Ordinal) || line.Contains(": fatal error:", StringComparison.Ordinal)
        || line.StartsWith("ERROR:", StringComparison.Ordinal);

    private static bool IsWarning(string line) =>
        line.Contains(": warning:", StringComparison.Ordinal) || line.StartsWith("WARNING:", StringComparison.Ordinal);
}
