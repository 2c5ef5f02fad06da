using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A single-node farm with two real sshd build servers on loopback — "x86" (127.0.0.2, x86_64,
/// gcc-12 native, one slot) and "arm" (127.0.0.3, arm64 with an aarch64 cross gcc-12, two slots) —
/// and a git daemon serving the fake kbuild tree.
/// </summary>
public sealed class FarmWithServers : IAsyncDisposable
{
    public required TempDirectory Root { get; init; }
    public required SshBuildServer X86 { get; init; }
    public required SshBuildServer Arm { get; init; }
    public required FakeKernelTree Tree { get; init; }
    public required GitDaemon Git { get; init; }
    public required FarmProcess Farm { get; init; }

    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);

    /// <param name="environment">More host settings (Farm__X), applied over the defaults below.</param>
    public static async Task<FarmWithServers> StartAsync(int x86Slots = 1, IReadOnlyDictionary<string, string>? environment = null)
    {
        var root = TempDirectory.Create("farm");
        var x86 = await SshBuildServer.StartAsync("127.0.0.2");
        var arm = await SshBuildServer.StartAsync("127.0.0.3");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        var tree = FakeKernelTree.Create(repos);
        var git = await GitDaemon.StartAsync(repos);
        var settings = new Dictionary<string, string>
        {
            // webhook retries in tenths of seconds, not the production seconds
            ["Farm__WebhookBackoff"] = "00:00:00.200",
            ["Farm__WebhookAttempts"] = "4",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) settings[k] = v;
        var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"), settings,
        // the host logs requests at Warning by default; here every request is logged, so the secrets
        // test (AuthTests) has request lines to look through (an argument: sh drops environment
        // variables with a '.' in their name)
        ["--Logging:LogLevel:Microsoft.AspNetCore=Information"]);
        await farm.RegisterServerAsync(x86, "x86", ["x86_64", "i386"],
            [FarmProcess.Toolchain("gcc-12", ["x86_64", "i386"])], maxJobs: x86Slots);
        await farm.RegisterServerAsync(arm, "arm", ["arm64"],
            [FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")], maxJobs: 2);
        return new FarmWithServers { Root = root, X86 = x86, Arm = arm, Tree = tree, Git = git, Farm = farm };
    }

    /// <summary>A fast fake-tree job; tweak with the optional arguments.</summary>
    public JsonObject Job(string arch = "x86_64", string config = "tinyconfig", int buildSeconds = 0,
        JsonObject? env = null, JsonArray? fragments = null, bool keepWorkspace = false)
    {
        var customEnv = env ?? [];
        if (buildSeconds > 0) customEnv["FAKE_BUILD_SECONDS"] = buildSeconds.ToString();
        return new JsonObject
        {
            ["source_repository"] = RepoUrl,
            ["branch"] = "master",
            ["commit_hash"] = "HEAD",
            ["target_architecture"] = arch,
            ["build_config"] = new JsonObject
            {
                ["kernel_config"] = config,
                ["custom_env"] = customEnv,
                ["kconfig_fragments"] = fragments ?? [],
                ["keep_workspace"] = keepWorkspace,
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Farm.DisposeAsync();
        // keep the node's log of the last run for diagnosis (the temp tree is deleted below)
        try { File.Copy(Farm.LogPath, Path.Combine(TempDirectory.Root, "last-host.log"), overwrite: true); } catch (IOException) { }
        await Git.DisposeAsync();
        await X86.DisposeAsync();
        await Arm.DisposeAsync();
        Tree.Dispose();
        Root.Dispose();
    }
}
