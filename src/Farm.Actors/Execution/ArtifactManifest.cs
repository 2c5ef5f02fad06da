using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>Parses the remote manifest.tsv ("sha256 TAB size TAB path" per line).</summary>
public static class ArtifactManifest
{
    public static IReadOnlyList<ArtifactEntry> Parse(string text)
    {
        var entries = new List<ArtifactEntry>();
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = raw.Split('\t');
            if (parts.Length != 3 || parts[0].Length != 64 || !long.TryParse(parts[1], out var size) || size < 0)
                throw new FormatException($"malformed manifest line: {raw}");
            // The manifest comes from the server: never trust a path that could leave the job folder.
            if (!IsSafeArtifactPath(parts[2]))
                throw new FormatException($"unsafe artifact path in manifest: {parts[2]}");
            entries.Add(new ArtifactEntry(parts[2], size, parts[0].ToLowerInvariant()));
        }
        return entries;
    }

    /// <summary>Relative, no '.'/'..' segments; module paths may contain '+' and ',' (kernel versions).</summary>
    public static bool IsSafeArtifactPath(string path) =>
        path.Length is > 0 and <= 1024 && !path.StartsWith('/') && !path.Contains("//")
        && path.Split('/').All(seg => seg is not ("" or "." or "..") && seg.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or ',' or '@' or '='))
        && SafePath.IsSafeRelative(path.Replace('+', '_').Replace(',', '_').Replace('@', '_').Replace('=', '_'));
}
