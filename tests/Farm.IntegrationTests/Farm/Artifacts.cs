using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace KernelFarm.IntegrationTests.Farm;

public static class Artifacts
{
    /// <summary>Every file the job record lists exists in storage with that size and sha256, and nothing else does.</summary>
    public static void AssertStorageMatchesRecord(JsonObject job)
    {
        var dir = job["artifact_directory"]!.GetValue<string>();
        Assert.True(Directory.Exists(dir), $"artifact directory {dir} missing");
        var listed = job["artifacts"]!.AsArray().Select(a => a!.AsObject()).ToList();
        foreach (var a in listed)
        {
            var file = Path.Combine(dir, a["path"]!.GetValue<string>());
            Assert.True(File.Exists(file), $"{file} missing");
            Assert.Equal(a["size"]!.GetValue<long>(), new FileInfo(file).Length);
            Assert.Equal(a["sha256"]!.GetValue<string>(), Sha256(file));
        }
        var onDisk = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f))
            .Where(f => f is not ("manifest.json" or "metadata.json" or KernelFarm.Actors.Storage.ArtifactStore.OwnerMarker)).Order().ToList();
        Assert.True(KernelFarm.Actors.Storage.ArtifactStore.IsOwnedBy(dir, job["id"]!.GetValue<string>()), $"{dir} does not carry the job's owner marker");
        Assert.Equal(listed.Select(a => a["path"]!.GetValue<string>()).Order().ToList(), onDisk);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(dir)!, ".staging", Path.GetFileName(dir))), "staging folder left behind");
    }

    public static string Sha256(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    public static IReadOnlyList<string> Paths(JsonObject job) =>
        job["artifacts"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()).ToList();
}
