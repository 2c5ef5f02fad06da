namespace KernelFarm.Actors.Storage;

/// <summary>
/// Central storage layout: &lt;root&gt;/&lt;job-id&gt;/ published whole by renaming from
/// &lt;root&gt;/.staging/&lt;job-id&gt; (same filesystem), and live logs under &lt;storage&gt;/.logs/.
/// </summary>
public sealed class ArtifactStore(string storagePath)
{
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

    /// <summary>A fresh, empty staging folder (leftovers of a crashed attempt are discarded).</summary>
    public static string PrepareStaging(string root, string jobId)
    {
        var staging = StagingDirectory(root, jobId);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Renames staging into place; false if the job folder was already published (exactly once).</summary>
    public static bool Publish(string root, string jobId)
    {
        var staging = StagingDirectory(root, jobId);
        var final = FinalDirectory(root, jobId);
        if (Directory.Exists(final))
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            return false;
        }
        Directory.Move(staging, final);
        return true;
    }
}
