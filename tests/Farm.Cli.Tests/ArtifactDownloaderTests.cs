using System.Security.Cryptography;
using System.Text;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Tests.Support;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ArtifactDownloaderTests : IDisposable
{
    private const string JobId = "0197a5f0-0000-7000-8000-000000000002";
    private static readonly CliConfig Config = new(new Uri("http://farm.test/"), null, "/dev/null");
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("kernel image bytes");
    private static readonly string ContentSha = Convert.ToHexStringLower(SHA256.HashData(Content));
    private readonly string _dir = Directory.CreateTempSubdirectory("kfarm-dl-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<string> Download(ArtifactEntry entry, byte[] served, StubHandler? handler = null)
    {
        handler ??= new StubHandler((_, _) => StubHandler.Bytes(served));
        using var client = new FarmClient(Config, handler);
        return await new ArtifactDownloader(client, JobId, _dir).DownloadAsync(entry, CancellationToken.None);
    }

    [Fact]
    public async Task A_file_whose_sha256_matches_lands_at_its_relative_path()
    {
        var handler = new StubHandler((_, _) => StubHandler.Bytes(Content));
        var file = await Download(new ArtifactEntry("modules/lib/fake.ko", Content.Length, ContentSha), Content, handler);
        Assert.Equal(Path.Combine(_dir, "modules/lib/fake.ko"), file);
        Assert.Equal(Content, await File.ReadAllBytesAsync(file));
        Assert.Equal($"/api/v1/infrastructure/build-jobs/{JobId}/artifacts/modules/lib/fake.ko", handler.Requests[0].RequestUri!.AbsolutePath);
        Assert.Single(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories)); // no partial file left
    }

    [Fact]
    public async Task A_sha256_mismatch_fails_and_leaves_no_file()
    {
        var tampered = Encoding.UTF8.GetBytes("kernel image bytez");
        var e = await Assert.ThrowsAsync<CliException>(() => Download(new ArtifactEntry("bzImage", Content.Length, ContentSha), tampered));
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
        Assert.Contains("sha256 mismatch", e.Message);
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_manifest_without_a_valid_sha256_is_refused_before_downloading()
    {
        var handler = new StubHandler((_, _) => StubHandler.Bytes(Content));
        await Assert.ThrowsAsync<CliException>(() => Download(new ArtifactEntry("bzImage", Content.Length, "abc"), Content, handler));
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/tmp/outside")]
    [InlineData("a/../../outside")]
    public async Task A_path_from_the_farm_that_would_leave_the_folder_is_refused_before_downloading(string path)
    {
        var handler = new StubHandler((_, _) => StubHandler.Bytes(Content));
        var e = await Assert.ThrowsAsync<CliException>(() => Download(new ArtifactEntry(path, Content.Length, ContentSha), Content, handler));
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task An_existing_file_is_replaced_only_by_a_verified_download()
    {
        var target = Path.Combine(_dir, "bzImage");
        await File.WriteAllTextAsync(target, "old");
        await Assert.ThrowsAsync<CliException>(() => Download(new ArtifactEntry("bzImage", 3, ContentSha), Encoding.UTF8.GetBytes("bad")));
        Assert.Equal("old", await File.ReadAllTextAsync(target));
        await Download(new ArtifactEntry("bzImage", Content.Length, ContentSha), Content);
        Assert.Equal(Content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public void Sha256_comparison_ignores_hex_case()
    {
        Assert.True(Sha256Check.Matches(ContentSha.ToUpperInvariant(), ContentSha));
        Assert.True(Sha256Check.IsValidHex(ContentSha));
        Assert.False(Sha256Check.IsValidHex(ContentSha[..63] + "g"));
    }
}
