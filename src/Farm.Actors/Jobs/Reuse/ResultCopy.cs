using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Actors.Storage;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Jobs.Reuse;

/// <summary>
/// Publishes a completed job's result as another job's folder, the way a transfer publishes a build:
/// staged under .staging, renamed into place whole. Every file the source published is hard-linked
/// (copied when the two folders are on different file systems), after checking it is a regular file
/// of the size the source recorded — the source's own transfer verified its sha256, and published
/// files are never written again. Only metadata.json is new: the source's, naming this job and
/// <c>reused_from</c>. Nothing is fetched from a build server.
/// </summary>
public static class ResultCopy
{
    public sealed record Result(string Directory, IReadOnlyList<ArtifactEntry> Artifacts);

    /// <param name="root">This job's artifact root (its output_directory or the storage path).</param>
    public static Result Publish(string root, string jobId, JobState source)
    {
        var final = ArtifactStore.FinalDirectory(root, jobId);
        if (Directory.Exists(final) && ArtifactStore.IsOwnedBy(final, jobId))
            return new Result(final, Jobs.ArtifactTransferActor.ReadPublished(final)); // published before a crash
        var from = source.ArtifactDirectory ?? throw new IOException($"job {source.Id} has no artifact folder");
        if (!Directory.Exists(from) || !ArtifactStore.IsOwnedBy(from, source.Id))
            throw new IOException($"job {source.Id}'s artifact folder {from} is gone");

        var staging = ArtifactStore.PrepareStaging(root, jobId);
        try
        {
            foreach (var entry in source.Artifacts)
            {
                if (!SafePath.IsSafeRelative(entry.Path)) throw new IOException($"job {source.Id} lists an unsafe path {entry.Path}");
                var file = Path.Combine(from, entry.Path);
                var info = new FileInfo(file);
                if (!info.Exists || info.LinkTarget is not null || info.Length != entry.Size)
                    throw new IOException($"job {source.Id}'s {entry.Path} is missing or changed");
                var target = Path.Combine(staging, entry.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                LinkOrCopy(file, target);
            }
            LinkOrCopy(Path.Combine(from, "manifest.json"), Path.Combine(staging, "manifest.json"));
            File.WriteAllText(Path.Combine(staging, "metadata.json"), Metadata(Path.Combine(from, "metadata.json"), jobId, source.Id));
            if (!ArtifactStore.Publish(root, jobId)) return new Result(final, Jobs.ArtifactTransferActor.ReadPublished(final));
            return new Result(final, source.Artifacts);
        }
        catch
        {
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); } catch (IOException) { /* staging is never served */ }
            throw;
        }
    }

    /// <summary>The source's metadata.json, naming this job and the job whose build it is.</summary>
    public static string Metadata(string sourceMetadata, string jobId, string sourceId)
    {
        var node = JsonNode.Parse(File.ReadAllText(sourceMetadata)) as JsonObject ?? throw new IOException("metadata.json is not an object");
        node["job_id"] = jobId;
        node["reused_from"] = sourceId;
        return node.ToJsonString(new JsonSerializerOptions(FarmJson.Options) { WriteIndented = true });
    }

    private static void LinkOrCopy(string from, string to)
    {
        if (link(from, to) == 0) return;
        // EXDEV (another file system) or a file system without hard links: a copy of the same bytes
        File.Copy(from, to);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
