using KernelFarm.Actors.Storage;
using Xunit;

namespace KernelFarm.Tests.Storage;

/// <summary>Publication on a real (temporary) filesystem: a job's folder is its own or left alone.</summary>
public sealed class ArtifactStoreTests : IDisposable
{
    private const string Job = "0197a2b4-0000-7000-8000-000000000001";
    private readonly string _root = Directory.CreateTempSubdirectory("kfarm-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Staging_carries_the_owner_marker_and_publication_moves_it_into_place()
    {
        var staging = ArtifactStore.PrepareStaging(_root, Job);
        File.WriteAllText(Path.Combine(staging, "vmlinux"), "v");
        Assert.True(ArtifactStore.Publish(_root, Job));
        var final = ArtifactStore.FinalDirectory(_root, Job);
        Assert.True(ArtifactStore.IsOwnedBy(final, Job));
        Assert.False(ArtifactStore.IsOwnedBy(final, "0197a2b4-0000-7000-8000-000000000002"));
        Assert.Equal("v", File.ReadAllText(Path.Combine(final, "vmlinux")));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void Publishing_again_is_a_no_op_for_the_jobs_own_folder()
    {
        ArtifactStore.PrepareStaging(_root, Job);
        Assert.True(ArtifactStore.Publish(_root, Job));
        ArtifactStore.PrepareStaging(_root, Job);
        Assert.False(ArtifactStore.Publish(_root, Job));
        Assert.False(Directory.Exists(ArtifactStore.StagingDirectory(_root, Job)));
    }

    [Fact]
    public void A_folder_that_is_not_the_jobs_is_neither_replaced_nor_merged_into()
    {
        var final = ArtifactStore.FinalDirectory(_root, Job);
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "victim.txt"), "mine");
        var staging = ArtifactStore.PrepareStaging(_root, Job);
        File.WriteAllText(Path.Combine(staging, "vmlinux"), "v");

        var e = Assert.Throws<FolderTakenException>(() => ArtifactStore.Publish(_root, Job));
        Assert.Contains(final, e.Message);
        Assert.Equal(["victim.txt"], Directory.GetFileSystemEntries(final).Select(Path.GetFileName));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void A_marker_naming_another_job_is_not_ownership()
    {
        var final = ArtifactStore.FinalDirectory(_root, Job);
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, ArtifactStore.OwnerMarker), "0197a2b4-0000-7000-8000-000000000002\n");
        Assert.False(ArtifactStore.IsOwnedBy(final, Job));
        ArtifactStore.PrepareStaging(_root, Job);
        Assert.Throws<FolderTakenException>(() => ArtifactStore.Publish(_root, Job));
    }
}
