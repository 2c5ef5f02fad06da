using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.Farm;

/// <summary>
/// The real host (src/Farm.Host, embedded SQLite) as a child process, started as the integration
/// tests start it (tests/Farm.IntegrationTests/Farm/FarmProcess.cs): its own data and storage
/// directories, a submitter token given by its SHA-256, output into a log file.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    public string Token { get; }
    public Uri BaseAddress { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;

    private HostProcess(Process process, string token, Uri baseAddress, string logPath)
    {
        _process = process;
        Token = token;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    /// <param name="environment">Farm__* settings on top of the data directories and the token.</param>
    public static async Task<HostProcess> StartAsync(BenchContext context, string root, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var port = FreePort();
        var log = Path.Combine(root, "host.log");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "sh", log,
                     "dotnet", context.HostDll, "--urls", $"http://127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        psi.Environment["Farm__DataDirectory"] = Path.Combine(root, "data");
        psi.Environment["Farm__ArtifactStoragePath"] = Path.Combine(root, "artifacts");
        psi.Environment["Farm__Auth__Tokens__0__Name"] = "bench";
        psi.Environment["Farm__Auth__Tokens__0__Role"] = "submitter";
        psi.Environment["Farm__Auth__Tokens__0__Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var host = new HostProcess(Process.Start(psi)!, token, new Uri($"http://127.0.0.1:{port}/"), log);
        try { await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), ct); }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    public HttpClient Client(int connections)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>The process's resident set (VmRSS), in MiB.</summary>
    public double RssMiB() => (MachineFacts.ReadKiB($"/proc/{_process.Id}/status", "VmRSS")
                               ?? throw new InvalidOperationException("the host is not running")) / 1024.0;

    /// <summary>Peak resident set (VmHWM), in MiB.</summary>
    public double PeakRssMiB() => (MachineFacts.ReadKiB($"/proc/{_process.Id}/status", "VmHWM") ?? 0) / 1024.0;

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            // The shell exec()s dotnet, so the pid is the host's.
            if (_process.HasExited) throw new InvalidOperationException($"the host exited with {_process.ExitCode}:\n{Tail()}");
            try
            {
                using var r = await http.GetAsync("healthz/ready", ct);
                if (r.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { /* slow answer */ }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"the host was not ready after {timeout}:\n{Tail()}");
    }

    /// <summary>The queue's waiting count, as /healthz/ready reports it.</summary>
    public async Task<int> WaitingAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync("healthz/ready", ct);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("waiting").GetInt32();
    }

    public string Tail(int lines = 40)
    {
        try { return string.Join('\n', File.ReadAllLines(LogPath).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }

    /// <summary>SIGTERM (a graceful stop), then SIGKILL if it takes too long.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited) { _process.Dispose(); return; }
        try
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
