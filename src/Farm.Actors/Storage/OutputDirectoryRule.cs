using KernelFarm.Actors.Validation;

namespace KernelFarm.Actors.Storage;

/// <summary>
/// Where a job's build_config.output_directory may point, beyond "within an allowed output root".
/// A job publishes into &lt;output_directory&gt;/&lt;job-id&gt; and stages in
/// &lt;output_directory&gt;/.staging/&lt;job-id&gt;, so an output_directory inside another job's
/// folder would create that folder before its owner publishes (and make its publication fail),
/// and one inside the farm's own folders (.staging, .logs) would mix with the farm's files.
/// Job folders are named by job id (a GUID) and the farm's own folders start with '.', so:
/// below the artifact storage path (when the output_directory lies in it), else below its
/// deepest allowed root, no segment may look like a job id or start with '.'. A folder such as
/// &lt;storage&gt;/team-a can never be a job's or the farm's, and stays allowed.
/// The rule is lexical (the paths are <see cref="SafePath"/>-safe, so that is exact).
/// Checked at submission (400) and again before a transfer writes anything (a job accepted by an
/// older release is refused there instead of harming another job).
/// </summary>
public static class OutputDirectoryRule
{
    /// <summary>Null when <paramref name="outputDirectory"/> may be used; otherwise why not (for build_config.output_directory).</summary>
    public static string? Check(string outputDirectory, string storagePath, IReadOnlyList<string> allowedRoots)
    {
        var parent = SafePath.IsWithin(outputDirectory, storagePath)
            ? storagePath
            : allowedRoots.Where(r => SafePath.IsWithin(outputDirectory, r)).MaxBy(r => Segments(r).Length);
        foreach (var segment in Segments(outputDirectory).Skip(parent is null ? 0 : Segments(parent).Length))
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

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
