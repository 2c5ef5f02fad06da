using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Servers;

/// <summary>
/// A farm that really builds over SSH, for every scenario that runs farm jobs on a build server
/// (overhead, second-build, fixed-cost, log-latency, transfer): one real sshd build server on a
/// loopback address of the caller's choice (the integration tests' <see cref="SshBuildServer"/>:
/// its own host key, key-only logins of the unprivileged user kfbuild), git daemons serving the fake
/// kbuild tree (<see cref="FakeKernelTree"/>, with <see cref="BenchKnobs"/> on request) and, on request,
/// Debian's linux-source-6.1 repository (<see cref="KernelRepository"/>), and the real host
/// (<see cref="HostProcess"/>, embedded SQLite, an operator token) with the server registered over the
/// API: x86_64, one toolchain, one slot, <c>total_cpu_cores</c> = the farm's <c>-j</c>. Everything it
/// starts is stopped and deleted on dispose, also when the start fails half-way.
/// </summary>
/// <remarks>
/// Two ways to wait for a job, because the scenarios time it differently: <see cref="RunAsync"/> takes
/// the total from the host's own transitions (poll interval irrelevant, load average sampled);
/// <see cref="SubmitAsync"/> + <see cref="WaitCompletedAsync"/> let the caller time it on its own clock
/// at its own poll interval.
/// </remarks>
public sealed class SshFarmRig : IAsyncDisposable
{
    public const string ServerId = "bench-server";
    public const string KernelRepoParent = "/var/cache/kernelfarm";
    public const string KernelRepoName = "linux-6.1.git";
    public static string KernelRepository => Path.Combine(KernelRepoParent, KernelRepoName);

    private readonly List<Func<ValueTask>> _cleanup = [];
    private readonly BenchContext _context;

    private SshFarmRig(BenchContext context, TempDirectory root)
    {
        _context = context;
        Root = root;
    }

    public TempDirectory Root { get; }
    public SshBuildServer Server { get; private set; } = null!;
    public HostProcess Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    /// <summary>The server's <c>total_cpu_cores</c>: the farm builds with <c>-j</c> this.</summary>
    public int Cores { get; private init; }
    private GitDaemon _fakeGit = null!;
    private GitDaemon? _kernelGit;

    public string FakeTreeUrl => _fakeGit.Url(FakeKernelTree.RepoDirName);
    /// <summary>The fake tree's master commit (a full id: result reuse needs one).</summary>
    public string FakeTreeHead { get; private set; } = "";
    /// <summary>The fake tree's bare repository (commits pushed here are served at <see cref="FakeTreeUrl"/>).</summary>
    public string FakeTreeRepository { get; private set; } = "";
    public string KernelUrl => (_kernelGit ?? throw new InvalidOperationException("started without the kernel repository")).Url(KernelRepoName);

    /// <summary>The server's cache directory (the default: &lt;workspace_root&gt;/.kfarm-cache).</summary>
    public string CacheDirectory => Path.Combine(Server.WorkDirectory, ".kfarm-cache");

    /// <param name="ip">A 127.0.0.0/8 address for the sshd (the tests use 127.0.0.2–58).</param>
    /// <param name="withKernel">Also serve <see cref="KernelRepository"/> (made by scripts/prepare-kernel-repo.sh if missing).</param>
    /// <param name="toolchain">The server's x86_64 toolchain: <c>gcc</c> makes the farm run plain <c>make</c> (no CC=), as a script would.</param>
    /// <param name="cores">The server's <c>total_cpu_cores</c> (the farm's <c>-j</c>); this machine's cores if not given.</param>
    /// <param name="withBenchKnobs">Commit <see cref="BenchKnobs"/> into the fake tree (for <see cref="FakeTreeJob"/>'s custom_env).</param>
    public static async Task<SshFarmRig> StartAsync(BenchContext context, string name, string ip, bool withKernel, CancellationToken ct,
        string toolchain = "gcc", int? cores = null, bool withBenchKnobs = false, int slots = 1)
    {
        var root = TempDirectory.Create("bench-" + name);
        var rig = new SshFarmRig(context, root) { Cores = cores ?? Environment.ProcessorCount };
        rig._cleanup.Add(() => { root.Dispose(); return ValueTask.CompletedTask; });
        try
        {
            rig.Server = await SshBuildServer.StartAsync(ip, ct);
            rig._cleanup.Add(() => rig.Server.DisposeAsync());
            var repos = Path.Combine(root.Path, "repos");
            var tree = FakeKernelTree.Create(repos);
            rig._cleanup.Add(() => tree.DisposeAsync());
            if (withBenchKnobs) BenchKnobs.CommitTo(tree);
            rig.FakeTreeHead = tree.HeadCommit;
            rig.FakeTreeRepository = tree.BareRepoPath;
            rig._fakeGit = await GitDaemon.StartAsync(repos, "127.0.0.1", ct);
            rig._cleanup.Add(() => rig._fakeGit.DisposeAsync());
            if (withKernel)
            {
                var script = Path.Combine(context.RepoRoot, "scripts/prepare-kernel-repo.sh");
                context.Log($"kernel repository: {KernelRepository} (scripts/prepare-kernel-repo.sh makes it once, about 2.5 min)");
                await Proc.RunAsync("bash", [script, KernelRepository], ct, throwOnError: true);
                rig._kernelGit = await GitDaemon.StartAsync(KernelRepoParent, "127.0.0.1", ct);
                rig._cleanup.Add(() => rig._kernelGit.DisposeAsync());
            }

            // The harness's host, with its one token given the operator role (registering servers needs it).
            var node = Path.Combine(root.Path, "node");
            Directory.CreateDirectory(node);
            rig.Host = await HostProcess.StartAsync(context, node,
                new Dictionary<string, string> { ["Farm__Auth__Tokens__0__Role"] = "operator" }, ct);
            rig._cleanup.Add(() => rig.Host.DisposeAsync());
            rig.Http = rig.Host.Client(4);
            rig._cleanup.Add(() => { rig.Http.Dispose(); return ValueTask.CompletedTask; });
            await rig.RegisterServerAsync(toolchain, slots, ct);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private Task RegisterServerAsync(string toolchain, int slots, CancellationToken ct) => RegisterAsync(Server, ServerId, toolchain, slots, ct);

    /// <summary>Another real sshd build server on <paramref name="ip"/>, registered as <paramref name="id"/> (x86_64, the toolchain, the slots).</summary>
    public async Task AddServerAsync(string ip, string id, string toolchain, int slots, CancellationToken ct)
    {
        var server = await SshBuildServer.StartAsync(ip, ct);
        _cleanup.Add(() => server.DisposeAsync());
        await RegisterAsync(server, id, toolchain, slots, ct);
    }

    private async Task RegisterAsync(SshBuildServer server, string id, string toolchain, int slots, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["id"] = id,
            ["hostname"] = id + ".test",
            ["ip_address"] = server.IpAddress,
            ["ssh_username"] = server.Username,
            ["ssh_port"] = server.Port,
            ["ssh_key_path"] = server.PrivateKeyPath,
            ["ssh_host_key_fingerprint"] = server.HostKeyFingerprintSha256,
            ["supported_architectures"] = new JsonArray("x86_64"),
            ["toolchains"] = new JsonArray(new JsonObject
            {
                ["name"] = toolchain, ["target_architectures"] = new JsonArray("x86_64"), ["cross_compile"] = "",
            }),
            ["total_cpu_cores"] = Cores,
            ["total_memory_mb"] = 4096,
            ["total_storage_gb"] = 50,
            ["max_concurrent_jobs"] = slots,
            ["workspace_root"] = server.WorkDirectory,
        };
        using var r = await Http.PostAsJsonAsync("api/v1/infrastructure/build-servers", body, ct);
        if (r.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"registering the build server: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>An x86_64 tinyconfig job of <paramref name="url"/>'s master with the default artifact patterns.</summary>
    public static JsonObject Tinyconfig(string url, bool ccache) => new()
    {
        ["source_repository"] = url,
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = "x86_64",
        ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig", ["ccache"] = ccache },
    };

    /// <summary>
    /// The trivial job of fixed-cost, log-latency and transfer: <see cref="Tinyconfig"/> of the fake tree
    /// without ccache, with <paramref name="env"/> as custom_env (the <see cref="BenchKnobs"/>), the
    /// workspace kept if asked, and <paramref name="artifactPatterns"/> instead of the default patterns if given.
    /// </summary>
    public JsonObject FakeTreeJob(JsonObject? env = null, string[]? artifactPatterns = null, bool keepWorkspace = false)
    {
        var job = Tinyconfig(FakeTreeUrl, ccache: false);
        var config = job["build_config"]!.AsObject();
        config["custom_env"] = env ?? [];
        config["keep_workspace"] = keepWorkspace;
        if (artifactPatterns is not null) config["artifact_patterns"] = new JsonArray(artifactPatterns.Select(p => (JsonNode)p).ToArray());
        return job;
    }

    /// <summary>
    /// Submits the job and polls it (every 100 ms) until it ended; throws unless it completed. The
    /// total is from just before the POST to the job's <c>completed</c> transition (the host's clock,
    /// the same machine's), so the poll interval does not count.
    /// </summary>
    public async Task<FarmRun> RunAsync(JsonObject request, TimeSpan timeout, CancellationToken ct)
    {
        using var load = new LoadSampler();
        var submittedAt = DateTimeOffset.UtcNow;
        var id = await SubmitAsync(request, ct);
        var job = await WaitCompletedAsync(id, TimeSpan.FromMilliseconds(100), timeout, ct);
        return new FarmRun(job, submittedAt) { LoadAverage = load.Mean };
    }

    /// <summary>POST → 202; the job's id.</summary>
    public async Task<string> SubmitAsync(JsonObject request, CancellationToken ct)
    {
        using var r = await Http.PostAsJsonAsync("api/v1/infrastructure/build-jobs", request, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"submit: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    /// <summary>Polls the job every <paramref name="poll"/> until it ended; its record, or an exception with the log's tail unless it completed.</summary>
    public async Task<JsonObject> WaitCompletedAsync(string id, TimeSpan poll, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = JsonNode.Parse(await Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}", ct))!.AsObject();
            var status = job["status"]!.GetValue<string>();
            if (status == "completed") return job;
            if (status is "failed" or "cancelled")
            {
                var log = await Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}/log", ct);
                throw new InvalidOperationException($"job {id} {status}: {job["failure"]?.ToJsonString()}\n{string.Join('\n', log.Split('\n').TakeLast(30))}");
            }
            if (clock.Elapsed > timeout) throw new TimeoutException($"job {id} still {status} after {timeout}");
            await Task.Delay(poll, ct);
        }
    }

    /// <summary>Removes the server's caches (git mirrors and ccache): the next job starts cold.</summary>
    public void ClearCaches() => TempDirectory.DeleteTree(CacheDirectory);

    /// <summary>
    /// Writes back every dirty page (sync) before a timed real-kernel run: the run before it left
    /// gigabytes of checkout and build output in the page cache, and their writeback would share
    /// the disk with the next run, so whichever ran second would pay for the first.
    /// </summary>
    public static Task SettleDiskAsync(CancellationToken ct) => Proc.RunAsync("sync", [], ct);

    /// <summary>
    /// Waits until no job workspace is left on the server: the farm removes it after <c>completed</c>
    /// (a real kernel's is 1.5 GB), and the next measurement should not share the disk with that.
    /// </summary>
    public async Task WaitForWorkspacesRemovedAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (Directory.EnumerateDirectories(Server.WorkDirectory, "job-*").Any())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                _context.Log("a job workspace is still on the server after 2 min; going on");
                return;
            }
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Reads a repository's packs once so that the first measured clone does not pay for a cold page cache alone.</summary>
    public static void WarmPageCache(string bareRepository)
    {
        var buffer = new byte[1 << 20];
        foreach (var file in Directory.EnumerateFiles(Path.Combine(bareRepository, "objects/pack")))
        {
            using var s = File.OpenRead(file);
            while (s.Read(buffer, 0, buffer.Length) > 0) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try { await _cleanup[i](); }
            catch (Exception e) { _context.Log($"cleanup: {e.GetType().Name}: {e.Message}"); }
        }
        _cleanup.Clear();
    }
}
