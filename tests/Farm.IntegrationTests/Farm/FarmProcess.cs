using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A real farm node: the Farm.Host process started with `dotnet Farm.Host.dll --urls …` on its
/// own data and storage directories. Can be SIGKILLed and restarted on the same state.
/// </summary>
public sealed class FarmProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly Dictionary<string, string> _environment;

    public string DataDirectory { get; }
    public string StoragePath { get; private set; }
    public int HttpPort { get; }
    public string LogPath { get; }
    private readonly IReadOnlyList<string> _arguments;
    /// <summary>Another build of the host (an earlier release, for upgrade fixtures); null: this tree's.</summary>
    private readonly string? _hostDll;
    public HttpClient Http { get; }
    public int Pid => _process?.Id ?? throw new InvalidOperationException("not running");

    private FarmProcess(string root, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string>? arguments = null, string? hostDll = null)
    {
        _arguments = arguments ?? [];
        _hostDll = hostDll;
        Directory.CreateDirectory(root);
        DataDirectory = Path.Combine(root, "data");
        StoragePath = Path.Combine(root, "artifacts");
        LogPath = Path.Combine(root, "host.log");
        HttpPort = FreePort.Get("127.0.0.1");
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Operator);
        _environment = new Dictionary<string, string>
        {
            ["Farm__DataDirectory"] = DataDirectory,
            ["Farm__ArtifactStoragePath"] = StoragePath,
            ["Farm__ProbeInterval"] = "00:00:02",
            ["Farm__CancelGracePeriod"] = "00:00:03",
            ["DOTNET_gcServer"] = "0",
        };
        // The test tokens, unless the caller configures auth itself (AuthTests).
        if (environment is null || !environment.Keys.Any(k => k.StartsWith("Farm__Auth__", StringComparison.Ordinal)))
            foreach (var (k, v) in TestTokens.Environment) _environment[k] = v;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) _environment[k] = v;
        StoragePath = _environment["Farm__ArtifactStoragePath"];
    }

    /// <summary>A node that is configured but not started (clusters start their nodes in order).</summary>
    public static FarmProcess Create(string root, IReadOnlyDictionary<string, string>? environment = null) => new(root, environment);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The Akka remoting port, when the caller set Farm__ClusterPort.</summary>
    public int ClusterPort => int.Parse(_environment["Farm__ClusterPort"]);

    /// <param name="arguments">Extra host arguments, e.g. configuration keys with a '.' that an environment variable cannot carry through sh.</param>
    public static async Task<FarmProcess> StartAsync(string root, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? arguments = null, string? hostDll = null)
    {
        var farm = new FarmProcess(root, environment, arguments, hostDll);
        await farm.LaunchAsync();
        return farm;
    }

    public static string HostDll
    {
        get
        {
            // tests/Farm.IntegrationTests/bin/<Config>/net10.0 → src/Farm.Host/bin/<Config>/net10.0
            var testBin = AppContext.BaseDirectory.TrimEnd('/');
            var config = Path.GetFileName(Path.GetDirectoryName(testBin)!);
            var repo = Path.GetFullPath(Path.Combine(testBin, "../../../../.."));
            var dll = Path.Combine(repo, "src/Farm.Host/bin", config, "net10.0/Farm.Host.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Farm.Host first", dll);
        }
    }

    public async Task LaunchAsync()
    {
        Launch();
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Starts the process without waiting for it to be ready (a node that is expected never to be).</summary>
    public void Launch()
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "sh", LogPath,
                     "dotnet", _hostDll ?? HostDll, "--urls", $"http://127.0.0.1:{HttpPort}" }.Concat(_arguments))
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in _environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
    }

    /// <summary>The exit code once the process has ended by itself; null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (_process is { HasExited: true })
                    throw new InvalidOperationException($"farm host exited with {_process.ExitCode}:\n{Tail()}");
                try
                {
                    using var r = await Http.GetAsync("healthz/ready");
                    return r.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException) { return false; /* not listening yet */ }
            }, timeout, "the farm host to be ready");
        }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}:\n{Tail()}", e); }
    }

    /// <summary>SIGTERM: a graceful stop (coordinated shutdown: leave, hand over).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is null) return;
        await Proc.RunAsync("kill", ["-TERM", _process.Id.ToString()]);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process = null;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a crash.</summary>
    public void Kill()
    {
        if (_process is null) return;
        ProcessKiller.KillTree(_process.Id, TimeSpan.FromSeconds(10));
        _process.WaitForExit(10_000);
        _process = null;
    }

    public Task RestartAsync() => LaunchAsync();

    public string Tail(int lines = 80)
    {
        try { return string.Join('\n', File.ReadAllLines(LogPath).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }

    // ---- API helpers ------------------------------------------------------------------------

    public async Task<JsonObject> RegisterServerAsync(SshBuildServer server, string id, string[] architectures,
        JsonArray toolchains, int maxJobs = 2, string? fingerprint = null, JsonObject? extra = null)
    {
        var body = ServerBody(server, id, architectures, toolchains, maxJobs, fingerprint);
        foreach (var (k, v) in extra ?? []) body[k] = v?.DeepClone();
        using var r = await Http.PostAsJsonAsync("api/v1/infrastructure/build-servers", body);
        var text = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"register {id}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static JsonObject ServerBody(SshBuildServer server, string id, string[] architectures, JsonArray toolchains,
        int maxJobs = 2, string? fingerprint = null) => new()
    {
        ["id"] = id,
        ["hostname"] = id + ".test",
        ["ip_address"] = server.IpAddress,
        ["ssh_username"] = server.Username,
        ["ssh_port"] = server.Port,
        ["ssh_key_path"] = server.PrivateKeyPath,
        ["ssh_host_key_fingerprint"] = fingerprint ?? server.HostKeyFingerprintSha256,
        ["supported_architectures"] = new JsonArray(architectures.Select(a => (JsonNode)a).ToArray()),
        ["toolchains"] = toolchains,
        ["total_cpu_cores"] = 2,
        ["total_memory_mb"] = 4096,
        ["total_storage_gb"] = 20,
        ["max_concurrent_jobs"] = maxJobs,
        ["workspace_root"] = server.WorkDirectory,
    };

    public static JsonObject Toolchain(string name, string[] archs, string cross = "") => new()
    {
        ["name"] = name,
        ["target_architectures"] = new JsonArray(archs.Select(a => (JsonNode)a).ToArray()),
        ["cross_compile"] = cross,
    };

    public async Task<(HttpStatusCode Status, JsonObject Body)> PostJobAsync(JsonObject request, string? idempotencyKey = null)
    {
        using var msg = new HttpRequestMessage(HttpMethod.Post, "api/v1/infrastructure/build-jobs")
        {
            Content = JsonContent.Create(request),
        };
        if (idempotencyKey is not null) msg.Headers.Add("Idempotency-Key", idempotencyKey);
        using var r = await Http.SendAsync(msg);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public async Task<string> SubmitAsync(JsonObject request)
    {
        var (status, body) = await PostJobAsync(request);
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"submit: {(int)status} {body}");
        return body["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> GetJobAsync(string id)
    {
        var text = await Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static string Status(JsonObject job) => job["status"]!.GetValue<string>();

    /// <summary>Polls the job until <paramref name="done"/> holds (bounded; the API has no push in this issue).</summary>
    public async Task<JsonObject> WaitForAsync(string id, Func<JsonObject, bool> done, TimeSpan timeout)
    {
        JsonObject? last = null;
        try
        {
            return (await Eventually.ValueAsync(async () =>
            {
                try { return last = await GetJobAsync(id); }
                catch (HttpRequestException) { return null; /* host restarting */ }
            }, job => job is not null && done(job), timeout, $"job {id} to reach the expected state", every: TimeSpan.FromMilliseconds(250)))!;
        }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}; last read: {last?.ToJsonString()}\n{Tail()}", e); }
    }

    /// <summary>
    /// Waits until a server holds no slot: a job reads "completed" before its slot is given back
    /// (after its workspace is removed), so a test about the next placement waits for this.
    /// </summary>
    public Task WaitForIdleServerAsync(string serverId, TimeSpan timeout) =>
        Eventually.ValueAsync(async () => (await Http.GetFromJsonAsync<JsonObject>($"api/v1/infrastructure/build-servers/{serverId}"))!,
            server => server["slots_in_use"]!.GetValue<int>() == 0, timeout, $"server {serverId} to hold no slot", every: TimeSpan.FromMilliseconds(50));

    public Task<JsonObject> WaitForEndAsync(string id, TimeSpan timeout) =>
        WaitForAsync(id, j => Status(j) is "completed" or "failed" or "cancelled", timeout);

    public async Task<string> GetLogAsync(string id) => await Http.GetStringAsync($"api/v1/infrastructure/build-jobs/{id}/log");

    public async ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        await Task.CompletedTask;
    }
}
