using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Series;

/// <summary>
/// One compiler or linker diagnostic, structured. Two diagnostics are the same when file,
/// severity, option and message agree: a line shift alone is not a change.
/// </summary>
public sealed partial record Diagnostic(string File, int Line, int Column, string Severity, string Option, string Message)
{
    /// <summary>What identifies a diagnostic across steps (no line or column).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public (string, string, string, string) Key => (File, Severity, Option, Message);

    /// <summary>Has a source position: printed by a compile (kept per object), not by the link.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool FromCompile => Line > 0;

    /// <summary>
    /// The diagnostics in compiler output or a build log, in order. Paths are made relative to the
    /// tree: the workspace's source/ and build/ prefixes (absolute, or ../source/ as ccache writes
    /// them) are removed, so two workspaces' builds of the same commit compare equal.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Parse(string text, string? workspace = null)
    {
        var found = new List<Diagnostic>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (Compiler().Match(line) is { Success: true } m)
            {
                found.Add(new(Relative(m.Groups["file"].Value, workspace), int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                    m.Groups["sev"].Value == "fatal error" ? "error" : m.Groups["sev"].Value,
                    m.Groups["opt"].Success ? m.Groups["opt"].Value : "", m.Groups["msg"].Value.Trim()));
            }
            else if (Linker().Match(line) is { Success: true } l)
            {
                found.Add(new(l.Groups["tool"].Value, 0, 0, l.Groups["sev"].Value, "", Relativise(l.Groups["msg"].Value.Trim(), workspace)));
            }
            else if (Modpost().Match(line) is { Success: true } p)
            {
                found.Add(new("modpost", 0, 0, "warning", "", Relativise(p.Groups["msg"].Value.Trim(), workspace)));
            }
        }
        return found;
    }

    private static string Relative(string path, string? workspace)
    {
        if (workspace is { Length: > 0 })
        {
            var ws = workspace.TrimEnd('/');
            if (path.StartsWith(ws + "/source/", StringComparison.Ordinal)) return path[(ws.Length + 8)..];
            if (path.StartsWith(ws + "/build/", StringComparison.Ordinal)) return path[(ws.Length + 7)..];
        }
        if (JobWorkspace().Match(path) is { Success: true } m) return path[m.Length..];
        if (path.StartsWith("../source/", StringComparison.Ordinal)) return path[10..];
        if (path.StartsWith("./", StringComparison.Ordinal)) return path[2..];
        return path;
    }

    private static string Relativise(string message, string? workspace) =>
        JobWorkspaceAnywhere().Replace(workspace is { Length: > 0 } ? message.Replace(workspace.TrimEnd('/') + "/source/", "", StringComparison.Ordinal)
            .Replace(workspace.TrimEnd('/') + "/build/", "", StringComparison.Ordinal) : message, "");

    /// <summary>A job's workspace (&lt;root&gt;/job-&lt;id&gt;/source/ or build/) when the caller does not know it.</summary>
    [GeneratedRegex(@"^/\S*?/(?:job|series)-[^/\s]+/(?:source|build)/")]
    private static partial Regex JobWorkspace();

    [GeneratedRegex(@"/\S*?/(?:job|series)-[^/\s]+/(?:source|build)/")]
    private static partial Regex JobWorkspaceAnywhere();

    [GeneratedRegex(@"^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<col>\d+):)?\s+(?<sev>warning|error|fatal error):\s+(?<msg>.*?)(?:\s+\[(?<opt>-W[^\]]+)\])?$")]
    private static partial Regex Compiler();

    [GeneratedRegex(@"^(?<tool>(?:\S*-)?ld(?:\.\w+)?): (?<sev>warning|error): (?<msg>.*)$")]
    private static partial Regex Linker();

    [GeneratedRegex(@"^WARNING: modpost: (?<msg>.*)$")]
    private static partial Regex Modpost();
}
