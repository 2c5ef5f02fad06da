using System.Diagnostics;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Servers;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Tests.Execution;
using Xunit;

namespace KernelFarm.Tests.Servers;

/// <summary>The probe's cache part run for real (sh, git, flock, du) against a cache directory of real bare mirrors.</summary>
public sealed class CacheMaintenanceTests : IDisposable
{
    private readonly TempDir _dir = new("kfarm-caches-");
    private string Cache => _dir.Combine("cache");

    public void Dispose() => _dir.Dispose();

    private BuildServer Server(int gitLimitMb) => new()
    {
        Id = "a", Hostname = "a", IpAddress = "127.0.0.1", SshUsername = "b", SshHostKeyFingerprint = "SHA256:x",
        WorkspaceRoot = _dir.Path, CacheDirectory = Cache, GitCacheLimitMb = gitLimitMb,
    };

    /// <summary>A bare mirror with one commit of <paramref name="kb"/> KiB of incompressible data, last used at <paramref name="lastUsed"/>.</summary>
    private string Mirror(string name, int kb, DateTimeOffset lastUsed)
    {
        var work = _dir.Combine("src-" + name);
        Directory.CreateDirectory(work);
        File.WriteAllBytes(Path.Combine(work, "blob"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(kb * 1024));
        LocalShell.MustRun("git", ["-C", work, "init", "-q", "-b", "main"]);
        LocalShell.MustRun("git", ["-C", work, "add", "blob"]);
        LocalShell.MustRun("git", ["-C", work, "-c", "user.name=k", "-c", "user.email=k@example.org", "commit", "-q", "-m", name]);
        var mirror = Path.Combine(Cache, "git", name);
        LocalShell.MustRun("git", ["clone", "-q", "--bare", work, mirror]);
        File.WriteAllText(Path.Combine(mirror, GitCache.LastUsedFile), "");
        File.SetLastWriteTimeUtc(Path.Combine(mirror, GitCache.LastUsedFile), lastUsed.UtcDateTime);
        return mirror;
    }

    /// <summary>Runs the cache part as the probe does: after the toolchain scan, in the same shell (which leaves IFS=:).</summary>
    private ServerCaches Probe(BuildServer server)
    {
        var r = LocalShell.Run("/bin/sh", ["-c", $"{{ {ToolchainDetection.Command}; }} >/dev/null && {{ {CacheMaintenance.Command(server)}}}"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.StdoutText.Split('\n');
        Assert.Equal(CacheMaintenance.Section, lines[0]);
        return CacheMaintenance.Parse(r.StdoutText);
    }

    [Fact]
    public void Under_the_limit_nothing_is_evicted_and_every_mirror_is_reported()
    {
        var day = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        Mirror("linux-0123456789abcdef.git", 64, day);
        Mirror("next-0123456789abcdef.git", 32, day.AddDays(1));
        Directory.CreateDirectory(Path.Combine(Cache, "ccache", "a"));
        File.WriteAllBytes(Path.Combine(Cache, "ccache", "a", "x"), new byte[40_000]);

        var caches = Probe(Server(gitLimitMb: 1000));

        Assert.Empty(caches.Evicted);
        Assert.Equal(["linux-0123456789abcdef.git", "next-0123456789abcdef.git"], caches.Repositories.Select(r => r.Name));
        Assert.InRange(caches.Repositories[0].Bytes, 64 * 1024, 400 * 1024);
        Assert.Equal(day, caches.Repositories[0].LastUsed);
        Assert.Equal(day.AddDays(1), caches.Repositories[1].LastUsed);
        Assert.InRange(caches.CcacheBytes!.Value, 40_000, 200_000);
        Assert.Equal(caches.Repositories.Sum(r => r.Bytes), caches.GitBytes);
    }

    [Fact]
    public void Over_the_limit_the_least_recently_used_mirrors_go_first_but_never_one_in_use()
    {
        var day = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        var oldest = Mirror("oldest-0000000000000001.git", 700, day);
        var checkedOut = Mirror("checked-out-0000000000000002.git", 700, day.AddHours(1));
        var removedWorkspace = Mirror("removed-ws-0000000000000003.git", 700, day.AddHours(2));
        var locked = Mirror("locked-0000000000000004.git", 700, day.AddHours(3));
        var newest = Mirror("newest-0000000000000005.git", 700, day.AddHours(4));
        // a job's workspace still checked out from one mirror; another's workspace was removed by the farm
        LocalShell.MustRun("git", ["-C", checkedOut, "worktree", "add", "-q", "--detach", _dir.Combine("ws-live/source"), "main"]);
        LocalShell.MustRun("git", ["-C", removedWorkspace, "worktree", "add", "-q", "--detach", _dir.Combine("ws-gone/source"), "main"]);
        Directory.Delete(_dir.Combine("ws-gone"), recursive: true);
        // a job fetching into one mirror holds its lock
        using var holder = Process.Start(new ProcessStartInfo("flock", [locked + ".lock", "sleep", "60"]))!;
        try
        {
            WaitForLock(locked + ".lock");

            // limit 1 MiB: five mirrors of ~0.7 MiB each must shrink to one
            var caches = Probe(Server(gitLimitMb: 1));

            Assert.Equal(["oldest-0000000000000001.git", "removed-ws-0000000000000003.git", "newest-0000000000000005.git"], caches.Evicted);
            Assert.False(Directory.Exists(oldest));
            Assert.False(Directory.Exists(removedWorkspace));
            Assert.False(Directory.Exists(newest));
            Assert.True(Directory.Exists(checkedOut));   // its worktree is in use
            Assert.True(Directory.Exists(locked));       // a job holds its lock
            Assert.True(File.Exists(_dir.Combine("ws-live/source/blob")));
            Assert.Equal(["checked-out-0000000000000002.git", "locked-0000000000000004.git"], caches.Repositories.Select(r => r.Name));
        }
        finally
        {
            holder.Kill();
        }
    }

    /// <summary>A series' kept tree of <paramref name="kb"/> KiB, last kept at <paramref name="kept"/>.</summary>
    private string Tree(string key, int kb, DateTimeOffset kept)
    {
        var tree = Path.Combine(Cache, SeriesTree.Folder, key);
        Directory.CreateDirectory(Path.Combine(tree, "build"));
        File.WriteAllBytes(Path.Combine(tree, "build", "vmlinux"), new byte[kb * 1024]);
        Directory.SetLastWriteTimeUtc(tree, kept.UtcDateTime);
        return tree;
    }

    [Fact]
    public void Series_trees_are_reported_and_over_the_limit_the_least_recently_kept_go_first()
    {
        var day = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        var old = Tree("aaaaaaaaaaaaaaaaaaaaaaaa", 700, day);
        var recent = Tree("bbbbbbbbbbbbbbbbbbbbbbbb", 700, day.AddHours(1));
        var halfMade = Path.Combine(Cache, SeriesTree.Folder, "bbbbbbbbbbbbbbbbbbbbbbbb.new.123");
        Directory.CreateDirectory(halfMade);
        Directory.SetLastWriteTimeUtc(halfMade, day.UtcDateTime);

        var kept = Probe(Server(gitLimitMb: 1000));
        Assert.Equal(["aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb"], kept.Trees!.Select(t => t.Name));
        Assert.Equal(day, kept.Trees![0].LastUsed);
        Assert.False(Directory.Exists(halfMade), "a half-made tree of a killed job stays");

        var shrunk = Probe(Server(gitLimitMb: 1));
        Assert.Equal([SeriesTree.AffinityPrefix + "aaaaaaaaaaaaaaaaaaaaaaaa"], shrunk.Evicted);
        Assert.False(Directory.Exists(old));
        Assert.True(Directory.Exists(recent));
        Assert.Equal(["bbbbbbbbbbbbbbbbbbbbbbbb"], shrunk.Trees!.Select(t => t.Name));
    }

    [Fact]
    public void Without_a_cache_directory_the_report_is_empty()
    {
        var caches = Probe(Server(gitLimitMb: 0));
        Assert.Empty(caches.Repositories);
        Assert.Null(caches.CcacheBytes);
        Assert.Empty(caches.Evicted);
    }

    [Theory]
    [InlineData("kfarm-git 12 0 ../../etc.git")]
    [InlineData("kfarm-git x 0 a.git")]
    [InlineData("kfarm-git 12 0 a.git extra")]
    [InlineData("kfarm-evicted /etc/passwd")]
    [InlineData("kfarm-ccache lots")]
    [InlineData("gcc-12 12")]
    public void Malformed_lines_are_ignored(string line)
    {
        var caches = CacheMaintenance.Parse(line + "\nkfarm-git 4 1700000000 ok-1.git\n");
        Assert.Equal("ok-1.git", Assert.Single(caches.Repositories).Name);
        Assert.Equal(4096, caches.Repositories[0].Bytes);
        Assert.Empty(caches.Evicted);
        Assert.Null(caches.CcacheBytes);
    }

    [Fact]
    public void The_whole_probe_output_keeps_toolchains_containers_and_caches_apart()
    {
        var output = $"x86_64\ngcc-12 12\n{ContainerDetection.Section}\nkfarm-runtime-version podman 4\n{CacheMaintenance.Section}\nkfarm-git 8 0 l-1.git\nkfarm-ccache 16\n";
        var server = Server(100) with { ContainerRuntime = ContainerCommand.Podman };
        var (toolchains, containers, caches) = ServerProbe.ParseOutput(server, output);
        Assert.Equal(["gcc-12"], toolchains.Select(t => t.Name));
        Assert.Equal("podman 4", containers!.RuntimeVersion);
        Assert.Equal(("l-1.git", 8192L, 16384L), (Assert.Single(caches.Repositories).Name, caches.GitBytes, caches.CcacheBytes!.Value));
    }

    // flock -n fails while the holder has it: the holder is ready when a try fails
    private static void WaitForLock(string lockFile) =>
        Eventually.True(() => LocalShell.Run("flock", ["-n", lockFile, "true"]).ExitCode != 0, TimeSpan.FromSeconds(30),
            "the lock holder to take the lock");
}
