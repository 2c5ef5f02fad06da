using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using KernelFarm.Actors.Jobs;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Messages.Servers;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// An artifact download over real SFTP stops at the size the manifest declares: a file that is a
/// symlink to /dev/zero (the measured attack: 137 MB written before anything stopped it) or that
/// is larger than declared fails the download as a limit after at most the declared bytes, at
/// once, instead of streaming until the download's time limit.
/// </summary>
public sealed class DeclaredSizeDownloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SshBuildServer _server = null!;
    private ActorSystem _system = null!;
    private readonly TempDirectory _local = TempDirectory.Create("declared-size");
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(60);

    public async Task InitializeAsync()
    {
        _server = await SshBuildServer.StartAsync("127.0.0.62");
        _system = ActorSystem.Create("declared-size", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        await _server.DisposeAsync();
        _local.Dispose();
    }

    private BuildServer Server => _server.AsBuildServer("downloads");

    private async Task<(object Reply, long LocalBytes, TimeSpan Took)> DownloadAsync(string remoteName, long declared, string sha256)
    {
        var session = _system.ActorOf(SshSessionActor.Props(Server, TimeSpan.FromSeconds(15)));
        var local = Path.Combine(_local.Path, remoteName);
        var clock = Stopwatch.StartNew();
        var reply = await session.Ask<object>(new SshSessionActor.Download(Path.Combine(_server.WorkDirectory, remoteName), local, sha256, declared), Ask);
        clock.Stop();
        _system.Stop(session);
        return (reply, File.Exists(local) ? new FileInfo(local).Length : 0, clock.Elapsed);
    }

    [Fact]
    public async Task A_symlink_to_dev_zero_declared_one_byte_fails_as_a_limit_after_at_most_one_byte()
    {
        _server.RunAsBuildUser($"mkdir -p '{_server.WorkDirectory}' && ln -sfn /dev/zero '{_server.WorkDirectory}/vmlinux'");
        var (reply, bytes, took) = await DownloadAsync("vmlinux", 1, new string('0', 64));
        output.WriteLine($"{reply}: {bytes} bytes written locally, {took.TotalMilliseconds:F0} ms");

        var failed = Assert.IsType<SshSessionActor.RunFailed>(reply);
        Assert.True(failed.Limit, failed.ToString());
        Assert.Contains("larger than the 1 bytes its manifest declares", failed.Error);
        Assert.True(bytes <= 1, $"{bytes} bytes written locally");
        Assert.True(took < TimeSpan.FromSeconds(20), $"stopped only after {took}");
    }

    [Fact]
    public async Task A_file_larger_than_declared_fails_as_a_limit_and_writes_no_more_than_declared()
    {
        _server.RunAsBuildUser($"mkdir -p '{_server.WorkDirectory}' && head -c 4194304 /dev/urandom > '{_server.WorkDirectory}/big'");
        var (reply, bytes, _) = await DownloadAsync("big", 1000, new string('0', 64));

        var failed = Assert.IsType<SshSessionActor.RunFailed>(reply);
        Assert.True(failed.Limit, failed.ToString());
        Assert.True(bytes <= 1000, $"{bytes} bytes written locally");
    }

    [Fact]
    public async Task A_file_of_exactly_the_declared_size_and_hash_downloads()
    {
        _server.RunAsBuildUser($"mkdir -p '{_server.WorkDirectory}' && printf 'fake vmlinux\\n' > '{_server.WorkDirectory}/exact'");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("fake vmlinux\n"u8.ToArray()));
        var (reply, bytes, _) = await DownloadAsync("exact", 13, sha);

        Assert.IsType<SshSessionActor.Downloaded>(reply);
        Assert.Equal(13, bytes);
    }
}
