using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Storage;

/// <summary>
/// What a job's remote manifest may declare before anything is downloaded: the artifact caps, and
/// paths that can be published next to the farm's own files in the job folder. The manifest comes
/// from the build server, i.e. from a build that may be hostile, so it is checked, not trusted.
/// </summary>
public static class ManifestRules
{
    /// <summary>Files the farm writes into every job folder (top level); an artifact may not take their names.</summary>
    public static readonly IReadOnlyList<string> FarmFiles = ["build.log", "manifest.json", "metadata.json", "reproducer.sh"];

    /// <summary>Null when the manifest may be fetched; otherwise the reason the job fails (kind "limit").</summary>
    public static string? Check(IReadOnlyList<ArtifactEntry> entries, FarmLimits limits)
    {
        if (entries.Count > limits.MaxArtifactFiles)
            return $"the artifact manifest lists {entries.Count} files, more than the limit of {limits.MaxArtifactFiles} (Farm:Limits:MaxArtifactFiles)";

        long total = 0;
        foreach (var e in entries)
        {
            // saturating: hostile sizes near long.MaxValue must not wrap around below the cap
            total = e.Size > long.MaxValue - total ? long.MaxValue : total + e.Size;
        }
        if (total > limits.MaxArtifactBytes)
            return $"the artifact manifest declares {total} bytes, more than the limit of {limits.MaxArtifactBytes} bytes per job (Farm:Limits:MaxArtifactBytes)";

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (ReservedReason(e.Path) is { } reserved) return $"artifact '{e.Path}' is refused: {reserved}";
            if (!files.Add(e.Path)) return $"artifact '{e.Path}' is listed twice in the manifest";
        }
        // "a" and "a/b" cannot both be files: one would have to be a folder
        foreach (var path in files)
        {
            for (var cut = path.IndexOf('/'); cut > 0; cut = path.IndexOf('/', cut + 1))
            {
                if (files.Contains(path[..cut])) return $"artifact '{path[..cut]}' is both a file and a folder in the manifest";
            }
        }
        return null;
    }

    /// <summary>
    /// Why an artifact path may not be published into the job folder, or null: the farm's own file
    /// names (compared ignoring case, for case-insensitive filesystems) and any dot-file or
    /// dot-folder (the farm's markers, e.g. <see cref="ArtifactStore.OwnerMarker"/>).
    /// </summary>
    public static string? ReservedReason(string path)
    {
        var segments = path.Split('/');
        if (segments.Any(s => s.StartsWith('.')))
            return "a name starting with '.' is reserved for the farm";
        if (segments.Length == 1 && FarmFiles.Contains(path, StringComparer.OrdinalIgnoreCase))
            return $"the farm writes its own {path.ToLowerInvariant()} into the job folder";
        return null;
    }
}
