using System.Text.Json;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Kcidb;

/// <summary>
/// A job with what its metadata.json adds (docs/metadata.md): the commit the ref resolved to, its
/// git describe and the compiler's --version line. All null before the job folder is published.
/// </summary>
public sealed record KcidbJob(JobRecord Job, string? ResolvedCommit = null, string? Describe = null, string? Compiler = null)
{
    /// <summary>The job with the facts of its metadata.json's text (null or unreadable: none).</summary>
    public static KcidbJob From(JobRecord job, string? metadataJson)
    {
        if (string.IsNullOrWhiteSpace(metadataJson)) return new(job);
        try
        {
            using var doc = JsonDocument.Parse(metadataJson);
            var root = doc.RootElement;
            return new(job,
                Text(root, "git", "commit"),
                Text(root, "git", "describe"),
                Text(root, "compiler", "version_full"));
        }
        catch (JsonException)
        {
            return new(job);
        }
    }

    /// <summary>The job with the facts of its folder's metadata.json (none before it is published, or when unreadable).</summary>
    public static async Task<KcidbJob> LoadAsync(JobRecord job) => From(job, await MetadataAsync(job));

    /// <summary>The job folder's metadata.json, null before it is published (or too large to be TuxMake's).</summary>
    private static async Task<string?> MetadataAsync(JobRecord job)
    {
        if (job.ArtifactDirectory is null) return null;
        var file = new FileInfo(Path.Combine(job.ArtifactDirectory, "metadata.json"));
        if (!file.Exists || file.Length > 4 << 20) return null;
        try
        {
            return await File.ReadAllTextAsync(file.FullName);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? Text(JsonElement root, string section, string field) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object
        && s.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
        && v.GetString() is { Length: > 0 } text
            ? text
            : null;
}
