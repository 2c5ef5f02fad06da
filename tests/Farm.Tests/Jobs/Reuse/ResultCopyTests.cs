using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Reuse;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs.Reuse;

/// <summary>Publishing another job's result on a real file system: shared files, a folder whole or not at all.</summary>
public sealed class ResultCopyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kfarm-reuse-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A published build: vmlinux, a module in a sub-folder, build.log, manifest.json, metadata.json, the owner marker.</summary>
    private JobState Published(string id = "src")
    {
        var staging = ArtifactStore.PrepareStaging(_root, id);
        var entries = new List<ArtifactEntry>();
        foreach (var (path, text) in new[] { ("vmlinux", "kernel bytes"), ("modules/fake.ko", "module"), ("build.log", "log") })
        {
            var file = Path.Combine(staging, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
            entries.Add(new ArtifactEntry(path, new FileInfo(file).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))));
        }
        File.WriteAllText(Path.Combine(staging, "manifest.json"), "[]");
        File.WriteAllText(Path.Combine(staging, "metadata.json"), """{"job_id": "src", "build": {"target_arch": "arm64"}}""");
        ArtifactStore.Publish(_root, id);
        return JobState.Queued(id, ReuseKeyTests.Request(), DateTimeOffset.UnixEpoch)
            .Apply(new Completed(ArtifactStore.FinalDirectory(_root, id), entries, DateTimeOffset.UnixEpoch, "v1:k"));
    }

    private static string Inode(string path) => new FileInfo(path).Exists ? Stat(path) : "";

    private static string Stat(string path)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i %h", path]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text.Split(' ')[0];
    }

    [Fact]
    public void The_result_becomes_the_jobs_folder_with_shared_files_and_its_own_metadata()
    {
        var source = Published();
        var result = ResultCopy.Publish(_root, "dst", source);

        Assert.Equal(ArtifactStore.FinalDirectory(_root, "dst"), result.Directory);
        Assert.Equal(source.Artifacts, result.Artifacts);
        Assert.True(ArtifactStore.IsOwnedBy(result.Directory, "dst"));
        foreach (var a in source.Artifacts)
            Assert.Equal(Inode(Path.Combine(source.ArtifactDirectory!, a.Path)), Inode(Path.Combine(result.Directory, a.Path))); // hard links
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Directory, "metadata.json")))!;
        Assert.Equal(("dst", "src", "arm64"), (metadata["job_id"]!.GetValue<string>(), metadata["reused_from"]!.GetValue<string>(),
            metadata["build"]!["target_arch"]!.GetValue<string>()));
        Assert.Contains("\"job_id\": \"src\"", File.ReadAllText(Path.Combine(source.ArtifactDirectory!, "metadata.json"))); // the source's untouched
        Assert.False(Directory.Exists(ArtifactStore.StagingDirectory(_root, "dst")));

        // published before a crash: the same folder is answered, nothing is written again
        var again = ResultCopy.Publish(_root, "dst", source);
        Assert.Equal(result.Directory, again.Directory);
    }

    [Fact]
    public void A_changed_or_missing_file_publishes_nothing()
    {
        var source = Published();
        File.AppendAllText(Path.Combine(source.ArtifactDirectory!, "vmlinux"), "tampered");
        Assert.Throws<IOException>(() => ResultCopy.Publish(_root, "dst", source));
        Assert.False(Directory.Exists(ArtifactStore.FinalDirectory(_root, "dst")));
        Assert.False(Directory.Exists(ArtifactStore.StagingDirectory(_root, "dst")));

        var gone = Published("src2");
        File.Delete(Path.Combine(gone.ArtifactDirectory!, "modules/fake.ko"));
        Assert.Throws<IOException>(() => ResultCopy.Publish(_root, "dst", gone));
        Assert.False(Directory.Exists(ArtifactStore.FinalDirectory(_root, "dst")));
    }

    [Fact]
    public void A_symlink_or_a_folder_that_is_not_the_sources_is_refused()
    {
        var source = Published();
        var vmlinux = Path.Combine(source.ArtifactDirectory!, "vmlinux");
        var secret = Path.Combine(_root, "secret");
        File.WriteAllText(secret, "kernel bytes"); // the same size as the file it replaces
        File.Delete(vmlinux);
        File.CreateSymbolicLink(vmlinux, secret);
        Assert.Throws<IOException>(() => ResultCopy.Publish(_root, "dst", source));

        var deleted = Published("src3");
        Directory.Delete(deleted.ArtifactDirectory!, recursive: true);
        Assert.Contains("gone", Assert.Throws<IOException>(() => ResultCopy.Publish(_root, "dst", deleted)).Message);

        var unsafePath = Published("src4") is var s4 ? s4 with { Artifacts = [new ArtifactEntry("../src/vmlinux", 12, new string('a', 64))] } : null!;
        Assert.Contains("unsafe", Assert.Throws<IOException>(() => ResultCopy.Publish(_root, "dst", unsafePath)).Message);
        Assert.False(Directory.Exists(ArtifactStore.FinalDirectory(_root, "dst")));
    }
}
