using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Upgrade;

/// <summary>
/// The surroundings an upgrade fixture was recorded in, rebuilt the same way every time: a journal
/// holds absolute paths and addresses (artifact directories, the servers' key path, workspace root,
/// address and host key, the jobs' repository URL), so the farm that wrote it and the farm that
/// reads it must find them at the same places. Root: /tmp/kfarm-upgrade/&lt;release&gt;.
/// Two sshd build servers: "x86" (127.0.0.84:2284, x86_64 + i386, one slot) and "arm"
/// (127.0.0.85:2285, arm64 cross, two slots); the fake kbuild tree over git://127.0.0.84:9484/.
/// </summary>
public sealed class UpgradeRig : IAsyncDisposable
{
    public const string X86Ip = "127.0.0.84";
    public const int X86Port = 2284;
    public const string ArmIp = "127.0.0.85";
    public const int ArmPort = 2285;
    public const int GitPort = 9484;

    public required string Root { get; init; }
    public required SshBuildServer X86 { get; init; }
    public required SshBuildServer Arm { get; init; }
    public required FakeKernelTree Tree { get; init; }
    public required GitDaemon Git { get; init; }

    public static string RootOf(string release) => Path.Combine("/tmp/kfarm-upgrade", release);

    /// <summary>The farm node's folder (FarmProcess root): data/ (the SQLite journal files) and artifacts/.</summary>
    public string NodeDirectory => Path.Combine(Root, "node");

    /// <summary>The servers' kept keys (host and client), one folder per server.</summary>
    public string KeysDirectory => Path.Combine(Root, "keys");

    public string WorkspaceRoot(string serverId) => Path.Combine(Root, "work", serverId);

    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);

    /// <summary>Starts the servers and the git daemon on whatever keys and node state <see cref="Root"/> already holds.</summary>
    public static async Task<UpgradeRig> StartAsync(string release)
    {
        var root = RootOf(release);
        foreach (var id in new[] { "x86", "arm" })
        {
            Directory.CreateDirectory(Path.Combine(root, "work", id));
            BuildUser.Chown(Path.Combine(root, "work", id));
        }
        var repos = Path.Combine(root, "repos");
        if (Directory.Exists(repos)) Directory.Delete(repos, recursive: true);
        Directory.CreateDirectory(repos);
        var tree = FakeKernelTree.Create(repos);
        var git = await GitDaemon.StartAsync(repos, X86Ip, port: GitPort);
        var x86 = await SshBuildServer.StartWithIdentityAsync(X86Ip, X86Port, Path.Combine(root, "keys", "x86"));
        var arm = await SshBuildServer.StartWithIdentityAsync(ArmIp, ArmPort, Path.Combine(root, "keys", "arm"));
        return new UpgradeRig { Root = root, X86 = x86, Arm = arm, Tree = tree, Git = git };
    }

    /// <summary>Removes what an earlier run left at the release's root (only that folder).</summary>
    public static void Clear(string release)
    {
        var root = RootOf(release);
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    public Task RegisterServersAsync(FarmProcess farm) => Task.WhenAll(
        farm.RegisterServerAsync(X86, "x86", ["x86_64", "i386"], [FarmProcess.Toolchain("gcc-12", ["x86_64", "i386"])], maxJobs: 1,
            extra: new() { ["workspace_root"] = WorkspaceRoot("x86") }),
        farm.RegisterServerAsync(Arm, "arm", ["arm64"], [FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")], maxJobs: 2,
            extra: new() { ["workspace_root"] = WorkspaceRoot("arm") }));

    public async ValueTask DisposeAsync()
    {
        await Git.DisposeAsync();
        await X86.DisposeAsync();
        await Arm.DisposeAsync();
        Tree.Dispose();
    }
}
