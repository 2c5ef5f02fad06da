using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.FixedCost;

/// <summary>
/// A farm that really builds, for fixed-cost, transfer and log-latency: one real sshd build server
/// on 127.0.0.2 (the integration tests' <see cref="SshBuildServer"/>: its own host key, key auth,
/// the non-root build user), a <see cref="GitDaemon"/> on 127.0.0.1 serving the fake kbuild tree
/// (<see cref="FakeKernelTree"/>), and the real host (<see cref="HostProcess"/>, embedded SQLite)
/// with the server registered over the API. Everything is stopped and deleted on dispose, also when
/// the start fails half-way.
/// </summary>
/// <remarks>
/// The fake tree gets one more commit: its scripts/fakebuild.sh with two benchmark knobs read from
/// the job's custom_env (tests/ is not changed): BENCH_LOG_LINES=N prints N lines
/// "bench-line I &lt;unix ns&gt;", the time taken on the build server right before the line is written,
/// every BENCH_LOG_INTERVAL seconds; BENCH_ARTIFACT_MB=N writes an N MiB random file
/// build/bench/blob.bin (match it with artifact_patterns "bench/blob.bin").
/// </remarks>
public sealed class BuildFarmRig : IAsyncDisposable
{
    public const string Arch = "x86_64";
    private readonly List<Func<ValueTask>> _cleanup = [];
    private HttpClient? _operator;

    public required TempDirectory Root { get; init; }
    public SshBuildServer Server { get; private set; } = null!;
    public GitDaemon Git { get; private set; } = null!;
    public FakeKernelTree Tree { get; private set; } = null!;
    public HostProcess Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);

    public static async Task<BuildFarmRig> StartAsync(BenchContext context, string name, CancellationToken ct,
        IReadOnlyDictionary<string, string>? hostEnvironment = null)
    {
        var root = TempDirectory.Create("bench-" + name);
        var rig = new BuildFarmRig { Root = root };
        rig._cleanup.Add(() => { root.Dispose(); return ValueTask.CompletedTask; });
        try
        {
            rig.Server = await SshBuildServer.StartAsync("127.0.0.2", ct);
            rig._cleanup.Add(() => rig.Server.DisposeAsync());
            var repos = Path.Combine(root.Path, "repos");
            rig.Tree = FakeKernelTree.Create(repos);
            rig.Tree.CommitFile("scripts/fakebuild.sh", BenchFakeBuild(), "bench: timestamped lines and big artifacts");
            rig.Git = await GitDaemon.StartAsync(repos, "127.0.0.1", ct);
            rig._cleanup.Add(() => rig.Git.DisposeAsync());

            var operatorToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var env = new Dictionary<string, string>
            {
                ["Farm__Auth__Tokens__1__Name"] = "bench-operator",
                ["Farm__Auth__Tokens__1__Role"] = "operator",
                ["Farm__Auth__Tokens__1__Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(operatorToken))),
            };
            foreach (var (k, v) in hostEnvironment ?? new Dictionary<string, string>()) env[k] = v;
            rig.Host = await HostProcess.StartAsync(context, context.NewDirectory(name), env, ct);
            rig._cleanup.Add(async () =>
            {
                await rig.Host.DisposeAsync();
                // keep the host's log for diagnosis until the scratch directory goes
            });
            rig.Http = rig.Host.Client(8);
            rig._cleanup.Add(() => { rig.Http.Dispose(); return ValueTask.CompletedTask; });
            rig._operator = new HttpClient { BaseAddress = rig.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            rig._operator.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", operatorToken);
            rig._cleanup.Add(() => { rig._operator.Dispose(); return ValueTask.CompletedTask; });
            await rig.RegisterServerAsync(ct);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private async Task RegisterServerAsync(CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["id"] = "bench-1",
            ["hostname"] = "bench-1.test",
            ["ip_address"] = Server.IpAddress,
            ["ssh_username"] = Server.Username,
            ["ssh_port"] = Server.Port,
            ["ssh_key_path"] = Server.PrivateKeyPath,
            ["ssh_host_key_fingerprint"] = Server.HostKeyFingerprintSha256,
            ["supported_architectures"] = new JsonArray("x86_64"),
            ["toolchains"] = new JsonArray(new JsonObject
            {
                ["name"] = "gcc-12", ["target_architectures"] = new JsonArray("x86_64"), ["cross_compile"] = "",
            }),
            ["total_cpu_cores"] = 2,
            ["total_memory_mb"] = 4096,
            ["total_storage_gb"] = 20,
            ["max_concurrent_jobs"] = 1,
            ["workspace_root"] = Server.WorkDirectory,
        };
        using var r = await _operator!.PostAsJsonAsync("api/v1/infrastructure/build-servers", body, ct);
        if (r.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"registering the build server: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>The trivial job: clone of the fake tree, make tinyconfig, make (no modules, no ccache).</summary>
    public JsonObject Job(JsonObject? env = null, string[]? artifactPatterns = null, bool keepWorkspace = false) => new()
    {
        ["source_repository"] = RepoUrl,
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = Arch,
        ["build_config"] = new JsonObject
        {
            ["kernel_config"] = "tinyconfig",
            ["custom_env"] = env ?? [],
            ["keep_workspace"] = keepWorkspace,
            ["ccache"] = false,
            ["artifact_patterns"] = artifactPatterns is null ? null : new JsonArray(artifactPatterns.Select(p => (JsonNode)p).ToArray()),
        },
    };

    /// <summary>POST → 202; the job's id.</summary>
    public async Task<string> SubmitAsync(JsonObject request, CancellationToken ct)
    {
        if (request["build_config"]!["artifact_patterns"] is null) request["build_config"]!.AsObject().Remove("artifact_patterns");
        using var r = await Http.PostAsJsonAsync("api/v1/infrastructure/build-jobs", request, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"submit: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> GetJobAsync(string id, CancellationToken ct) =>
        JsonNode.Parse(await Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}", ct))!.AsObject();

    /// <summary>Polls the job every <paramref name="poll"/> until it ended; throws unless it completed.</summary>
    public async Task<JsonObject> WaitEndedAsync(string id, TimeSpan poll, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await GetJobAsync(id, ct);
            var status = job["status"]!.GetValue<string>();
            if (status == "completed") return job;
            if (status is "failed" or "cancelled")
                throw new InvalidOperationException($"job {id} {status}: {job["failure"]?.ToJsonString()}\n{await LogAsync(id, ct)}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"job {id} still {status} after {timeout}");
            await Task.Delay(poll, ct);
        }
    }

    public Task<string> LogAsync(string id, CancellationToken ct) => Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}/log", ct);

    /// <summary>The time of the job's transition into <paramref name="state"/> (the first one).</summary>
    public static DateTimeOffset TransitionAt(JsonObject job, string state)
    {
        foreach (var t in job["transitions"]!.AsArray())
        {
            var s = t!["status"]?.GetValue<string>() ?? t["state"]?.GetValue<string>();
            if (s == state) return DateTimeOffset.Parse(t["at"]?.GetValue<string>() ?? t["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no transition to {state}: {job["transitions"]!.ToJsonString()}");
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try { await _cleanup[i](); }
            catch (Exception e) { Console.Error.WriteLine($"cleanup: {e.GetType().Name}: {e.Message}"); }
        }
        _cleanup.Clear();
    }

    /// <summary>The fake tree's scripts/fakebuild.sh with the benchmark knobs (see the class remarks).</summary>
    private static string BenchFakeBuild()
    {
        const string anchor = "\tseconds=${FAKE_BUILD_SECONDS:-}\n";
        var text = FakeKernelTree.FakeBuildScriptText;
        if (!text.Contains(anchor, StringComparison.Ordinal))
            throw new InvalidOperationException("the fake tree's fakebuild.sh changed: update BuildFarmRig.BenchFakeBuild");
        const string knobs = """
            	if [ -n "${BENCH_LOG_LINES:-}" ]; then
            		i=1
            		while [ "$i" -le "$BENCH_LOG_LINES" ]; do
            			printf 'bench-line %d %s\n' "$i" "$(date +%s%N)"
            			sleep "${BENCH_LOG_INTERVAL:-0.1}"
            			i=$((i + 1))
            		done
            	fi
            	if [ -n "${BENCH_ARTIFACT_MB:-}" ]; then
            		mkdir -p bench
            		head -c "${BENCH_ARTIFACT_MB}M" /dev/urandom > bench/blob.bin
            		printf '  GEN     bench/blob.bin (%s MiB)\n' "$BENCH_ARTIFACT_MB"
            	fi

            """;
        return text.Replace(anchor, knobs + anchor, StringComparison.Ordinal);
    }
}
