using KernelFarm.Actors.Validation;

namespace KernelFarm.Actors.Storage;

/// <summary>
/// Where a job's build_config.output_directory may point, beyond "within an allowed output root".
/// A job publishes into &lt;output_directory&gt;/&lt;job-id&gt; and stages in
/// &lt;output_directory&gt;/.staging/&lt;job-id&gt;, so an output_directory inside another job's
/// folder would create that folder before its owner publishes (and make its publication fail),
/// and one inside the farm's own folders (.staging, .logs) would mix with the farm's files.
/// The rule is lexical (the paths are <see cref="SafePath"/>-safe, so that is exact):
/// <list type="bullet">
/// <item>the artifact storage path itself is allowed; anything below it is not (its folders are
///   the farm's and other jobs');</item>
/// <item>below its (deepest) allowed root, no segment may look like a job id (a GUID) or start
///   with '.' (the farm's folders and markers).</item>
/// </list>
/// Checked at submission (400) and again before a transfer writes anything (a job accepted by an
/// older release is refused there instead of harming another job).
/// </summary>
public static class OutputDirectoryRule
{
    /// <summary>Null when <paramref name="outputDirectory"/> may be used; otherwise why not (for build_config.output_directory).</summary>
    public static string? Check(string outputDirectory, string storagePath, IReadOnlyList<string> allowedRoots)
    {
        if (SameDirectory(outputDirectory, storagePath)) return null;
        if (SafePath.IsWithin(outputDirectory, storagePath))
            return $"must not be inside the artifact storage path {storagePath} (its folders belong to the farm and to other jobs); use {storagePath} itself or leave it null";

        var root = allowedRoots.Where(r => SafePath.IsWithin(outputDirectory, r)).MaxBy(r => Segments(r).Length);
        var below = Segments(outputDirectory).Skip(root is null ? 0 : Segments(root).Length);
        foreach (var segment in below)
        {
            if (IsJobId(segment))
                return $"must not name a job's folder: '{segment}' is a job id (a job publishes into <output_directory>/<job-id>)";
            if (segment.StartsWith('.'))
                return $"must not contain a segment starting with '.' ('{segment}'): those are the farm's own folders";
        }
        return null;
    }

    /// <summary>Job ids are GUIDs; any spelling Guid accepts is treated as one (conservative).</summary>
    public static bool IsJobId(string segment) => Guid.TryParse(segment, out _);

    private static bool SameDirectory(string a, string b) => SafePath.IsWithin(a, b) && SafePath.IsWithin(b, a);

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
