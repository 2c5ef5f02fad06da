namespace KernelFarm.Cli.Jobs;

/// <summary>
/// Where a downloaded artifact may be written: only inside the output folder, at its relative
/// path. The path comes from the farm, so it is checked as untrusted input: absolute paths,
/// '..' or '.' segments, empty segments, backslashes and control characters are refused.
/// </summary>
public static class ArtifactPath
{
    public static string? Problem(string relative)
    {
        if (string.IsNullOrEmpty(relative)) return "empty path";
        if (relative.StartsWith('/') || relative.StartsWith('~') || Path.IsPathRooted(relative)) return "absolute path";
        if (relative.Any(char.IsControl)) return "control character in path";
        if (relative.Contains('\\')) return "backslash in path";
        foreach (var segment in relative.Split('/'))
        {
            if (segment.Length == 0) return "empty path segment";
            if (segment is "." or "..") return $"'{segment}' in path";
        }
        return null;
    }

    /// <summary>The full path of <paramref name="relative"/> inside <paramref name="root"/>, or an error naming why not.</summary>
    public static string Resolve(string root, string relative)
    {
        if (Problem(relative) is { } problem) throw CliException.Failure($"refusing artifact path '{Printable(relative)}': {problem}");
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw CliException.Failure($"refusing artifact path '{Printable(relative)}': outside {root}");
        return full;
    }

    /// <summary>
    /// Refuses when a folder between the root and the file is a symbolic link: following one could
    /// write outside the root.
    /// </summary>
    public static void EnsureNoLinks(string root, string fullPath)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var dir = Path.GetDirectoryName(fullPath)!;
        for (var d = dir; d.Length > fullRoot.Length; d = Path.GetDirectoryName(d)!)
        {
            var info = new DirectoryInfo(d);
            if (info.Exists && info.LinkTarget is not null)
                throw CliException.Failure($"refusing to write through the symbolic link {d}");
        }
        if (File.Exists(fullPath) && new FileInfo(fullPath).LinkTarget is not null)
            throw CliException.Failure($"refusing to overwrite the symbolic link {fullPath}");
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
