using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A single-node farm like <see cref="FarmWithServers"/>, but with the build servers and the extra
/// host environment a fault test needs (short retry back-off and re-attach delay by default).
/// Servers listen on 127.0.0.40 and up so they never share an address with the other fixtures.
/// </summary>
public sealed partial class FaultFarm : IAsyncDisposable
{
    /// <summary>A build server to start and register: id, loopback address, architectures, slots.</summary>
    public sealed record ServerSpec(string Id, string IpAddress, string[] Architectures, int Slots = 1);

    public required TempDirectory Root { get; init; }
    public required IReadOnlyDictionary<string, SshBuildServer> Servers { get; init; }
    public required FakeKernelTree Tree { get; init; }
    public required GitDaemon Git { get; init; }
    public required FarmProcess Farm { get; init; }

    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);
    public string StoragePath => Farm.StoragePath;
    public SshBuildServer this[string id] => Servers[id];

    /// <summary>Defaults every fault test wants: retries and re-attaches without long waits.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastRecovery = new Dictionary<string, string>
    {
        ["Farm__ReattachDelay"] = "00:00:01",
        ["Farm__RetryBackoff"] = "00:00:01",
        ["Farm__SshConnectTimeout"] = "00:00:05",
    };

    /// <summary>
    /// Starts the servers, a git daemon with the fake tree and a farm host whose environment is
    /// <see cref="FastRecovery"/> overlaid with <paramref name="environment"/> (a value of "" is
    /// still passed). <paramref name="configureRoot"/> runs before the host starts (e.g. to
    /// prepare mounts under the root).
    /// </summary>
    public static async Task<FaultFarm> StartAsync(IReadOnlyList<ServerSpec> servers,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? configureRoot = null)
    {
        var root = TempDirectory.Create("fault");
        var started = new Dictionary<string, SshBuildServer>();
        GitDaemon? git = null;
        FakeKernelTree? tree = null;
        FarmProcess? farm = null;
        try
        {
            foreach (var s in servers) started[s.Id] = await SshBuildServer.StartAsync(s.IpAddress);
            var repos = Path.Combine(root.Path, "repos");
            Directory.CreateDirectory(repos);
            tree = FakeKernelTree.Create(repos);
            git = await GitDaemon.StartAsync(repos);
            var env = new Dictionary<string, string>(FastRecovery);
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
            configureRoot?.Invoke(root.Path);
            farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"), env);
            foreach (var s in servers)
                await farm.RegisterServerAsync(started[s.Id], s.Id, s.Architectures,
                    [FarmProcess.Toolchain("gcc-12", s.Architectures)], maxJobs: s.Slots);
            return new FaultFarm { Root = root, Servers = started, Tree = tree, Git = git, Farm = farm };
        }
        catch
        {
            if (farm is not null) await farm.DisposeAsync();
            if (git is not null) await git.DisposeAsync();
            foreach (var s in started.Values) await s.DisposeAsync();
            tree?.Dispose();
            root.Dispose();
            throw;
        }
    }

    /// <summary>A fake-tree job; <paramref name="buildSeconds"/> makes the build print one CC line a second.</summary>
    public JsonObject Job(string arch = "x86_64", int buildSeconds = 0, JsonArray? fragments = null,
        string? outputDirectory = null, int? timeoutMinutes = null)
    {
        var env = new JsonObject();
        if (buildSeconds > 0) env["FAKE_BUILD_SECONDS"] = buildSeconds.ToString();
        var config = new JsonObject
        {
            ["kernel_config"] = "tinyconfig",
            ["custom_env"] = env,
            ["kconfig_fragments"] = fragments ?? [],
        };
        if (outputDirectory is not null) config["output_directory"] = outputDirectory;
        if (timeoutMinutes is not null) config["timeout_minutes"] = timeoutMinutes.Value;
        return new JsonObject
        {
            ["source_repository"] = RepoUrl,
            ["branch"] = "master",
            ["commit_hash"] = "HEAD",
            ["target_architecture"] = arch,
            ["build_config"] = config,
        };
    }

    // ---- observation helpers ---------------------------------------------------------------

    public string LiveLogPath(string jobId) => Path.Combine(StoragePath, ".logs", jobId + ".log");

    /// <summary>The live (central) log as it is right now, "" before it exists.</summary>
    public string LiveLog(string jobId)
    {
        try
        {
            using var s = new FileStream(LiveLogPath(jobId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
        catch (IOException) { return ""; }
    }

    /// <summary>GET /build-servers/{id}.</summary>
    public async Task<JsonObject> GetServerAsync(string id) =>
        JsonNode.Parse(await Farm.Http.GetStringAsync($"api/v1/infrastructure/build-servers/{id}"))!.AsObject();

    public async Task<JsonObject> WaitForServerAsync(string id, Func<JsonObject, bool> done, TimeSpan timeout)
    {
        try
        {
            return await Eventually.ValueAsync(() => GetServerAsync(id), done, timeout, $"server {id} to reach the expected state");
        }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\n{Farm.Tail()}", e); }
    }

    /// <summary>
    /// Waits until no slot of the server is reserved (a job releases its slot after it has cleaned
    /// its workspace, i.e. shortly after its record says it ended).
    /// </summary>
    public Task<JsonObject> WaitForIdleAsync(string serverId, TimeSpan timeout) =>
        WaitForServerAsync(serverId, s => s["slots_in_use"]!.GetValue<int>() == 0, timeout);

    /// <summary>Waits until the job is building and its live log shows init/file<paramref name="n"/>.</summary>
    public Task<JsonObject> WaitForCcLineAsync(string jobId, int n, TimeSpan timeout) =>
        Farm.WaitForAsync(jobId, j => FarmProcess.Status(j) == "building" && LiveLog(jobId).Contains($"init/file{n}.o\n"), timeout);

    /// <summary>The numbers N of every "  CC      init/fileN.o" line, in log order.</summary>
    public static List<int> CcNumbers(string log) =>
        CcLine().Matches(log).Select(m => int.Parse(m.Groups[1].Value)).ToList();

    public static int StepCount(string log, string step) =>
        Regex.Matches(log, $"^==> kfarm: step {Regex.Escape(step)}$", RegexOptions.Multiline).Count;

    public static int CommitLines(string log) => Regex.Matches(log, "^commit: ", RegexOptions.Multiline).Count;

    [GeneratedRegex(@"^  CC      init/file(\d+)\.o$", RegexOptions.Multiline)] private static partial Regex CcLine();

    public async ValueTask DisposeAsync()
    {
        await Farm.DisposeAsync();
        try { File.Copy(Farm.LogPath, Path.Combine(TempDirectory.Root, "last-fault-host.log"), overwrite: true); } catch (IOException) { }
        await Git.DisposeAsync();
        foreach (var s in Servers.Values) await s.DisposeAsync();
        Tree.Dispose();
        Root.Dispose();
    }
}
