namespace KernelFarm.Actors.Series;

/// <summary>What a step changed in the diagnostics: new ones and fixed ones, counted as multisets by <see cref="Diagnostic.Key"/>.</summary>
public sealed record DiagnosticDiff(IReadOnlyList<Diagnostic> New, IReadOnlyList<Diagnostic> Fixed)
{
    public static DiagnosticDiff Between(IReadOnlyList<Diagnostic> before, IReadOnlyList<Diagnostic> after) =>
        new(Minus(after, before), Minus(before, after));

    /// <summary>The diagnostics of <paramref name="a"/> that <paramref name="b"/> does not have as often.</summary>
    private static List<Diagnostic> Minus(IReadOnlyList<Diagnostic> a, IReadOnlyList<Diagnostic> b)
    {
        var left = b.GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<Diagnostic>();
        foreach (var d in a)
        {
            if (left.TryGetValue(d.Key, out var n) && n > 0) left[d.Key] = n - 1;
            else result.Add(d);
        }
        return result;
    }

    /// <summary>
    /// A step's full set: every object's compile diagnostics (kept beside the objects, so also those
    /// of files this step did not recompile) and the link's and modpost's from the step's log.
    /// </summary>
    public static IReadOnlyList<Diagnostic> StepSet(string objectDiagnostics, string stepLog, string? workspace) =>
        [.. Diagnostic.Parse(objectDiagnostics, workspace).Where(d => d.FromCompile),
         .. Diagnostic.Parse(stepLog, workspace).Where(d => !d.FromCompile)];

    /// <summary>The same set from a cold build's log: for comparing a step with a build of the same commit.</summary>
    public static IReadOnlyList<Diagnostic> ColdSet(string log, string? workspace) => Diagnostic.Parse(log, workspace);

    /// <summary>Equal as multisets of keys.</summary>
    public static bool SameSet(IReadOnlyList<Diagnostic> a, IReadOnlyList<Diagnostic> b) =>
        Between(a, b) is { New.Count: 0, Fixed.Count: 0 };
}
