namespace KernelFarm.Actors.Storage;

/// <summary>
/// Central storage layout: &lt;root&gt;/&lt;job-id&gt;/ published whole by renaming from
/// &lt;root&gt;/.staging/&lt;job-id&gt; (same filesystem), and live logs under &lt;storage&gt;/.logs/.
/// A job folder carries <see cref="OwnerMarker"/> (the job's id), written when its staging folder
/// is made: a folder at &lt;root&gt;/&lt;job-id&gt; without it is not the job's and is never
/// replaced, merged into or claimed (see docs/storage-limits.md).
/// </summary>
public sealed class ArtifactStore(string storagePath)
{
    /// <summary>The marker file naming the job that owns a job folder (a dot-file: no artifact may take its name).</summary>
    public const string OwnerMarker = ".kernelfarm-job";

    public string StoragePath { get; } = storagePath;

    public string LiveLogPath(string jobId) => Path.Combine(StoragePath, ".logs", jobId + ".log");

    public static string RootFor(string? outputDirectory, string storagePath) => outputDirectory ?? storagePath;

    public static string FinalDirectory(string root, string jobId) => Path.Combine(root, jobId);

    public static string StagingDirectory(string root, string jobId) => Path.Combine(root, ".staging", jobId);

    /// <summary>Where the job's log is: the published copy once the folder exists, else the live one.</summary>
    public string LogPathFor(string jobId, string? artifactDirectory)
    {
        if (artifactDirectory is not null)
        {
            var published = Path.Combine(artifactDirectory, "build.log");
            if (File.Exists(published)) return published;
        }
        return LiveLogPath(jobId);
    }

    /// <summary>Does <paramref name="directory"/> carry this job's marker? (False when it cannot be read.)</summary>
    public static bool IsOwnedBy(string directory, string jobId)
    {
        try
        {
            var marker = Path.Combine(directory, OwnerMarker);
            return File.Exists(marker) && File.ReadAllText(marker).Trim() == jobId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>A fresh staging folder holding just the owner marker (leftovers of a crashed attempt are discarded).</summary>
    public static string PrepareStaging(string root, string jobId)
    {
        var staging = StagingDirectory(root, jobId);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, OwnerMarker), jobId + "\n");
        }
        catch (Exception)
        {   // storage full or unwritable: leave no empty staging folder behind
            TryDelete(staging);
            throw;
        }
        return staging;
    }

    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (Exception) { /* best effort; staging is never served */ }
    }

    /// <summary>
    /// Renames staging into place; false if this job's folder was already published (exactly once).
    /// Throws <see cref="FolderTakenException"/> when a folder that is not the job's is in the way.
    /// </summary>
    public static bool Publish(string root, string jobId)
    {
        var staging = StagingDirectory(root, jobId);
        var final = FinalDirectory(root, jobId);
        if (Directory.Exists(final) || File.Exists(final))
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (IsOwnedBy(final, jobId)) return false;
            throw new FolderTakenException(final, jobId);
        }
        // Directory.Move refuses an existing destination, so a folder made meanwhile is not merged into.
        Directory.Move(staging, final);
        return true;
    }
}
