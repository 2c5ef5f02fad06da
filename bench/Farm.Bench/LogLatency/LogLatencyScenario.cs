using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.LogLatency;

/// <summary>
/// Issue 6, figure 6: live-log latency, from a line written on the build server to its arrival at
/// an SSE client, p50/p99, against <c>ssh … tail -F</c> of the same file.
/// <para>
/// A farm job on a real sshd build server (<see cref="SshFarmRig"/>) whose build prints
/// "bench-line I &lt;unix ns&gt;" lines (custom_env BENCH_LOG_LINES, one every BENCH_LOG_INTERVAL
/// seconds); the time is taken with <c>date +%s%N</c> on the server right before the line goes to
/// build.log (the same machine, the same clock as the client). Farm: the client follows
/// GET …/build-jobs/{id}/log?follow=true (server-sent events) from the moment the job is accepted;
/// the line travels tail over SSH → the job's log actor → central build.log → the gateway's SSE.
/// Baseline: at the same time, <c>ssh kfbuild@server tail -c +1 -F &lt;workspace&gt;/build.log</c>
/// (OpenSSH client, its own connection; started once the file exists, so tail follows it with
/// inotify) reads the same file: the ratio is the farm's added latency.
/// </para>
/// </summary>
public sealed class LogLatencyScenario : IScenario
{
    public string Name => "log-latency";
    public string Description => "build-server line → SSE client p50/p99, against ssh tail -F";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var lines = context.Quick ? 60 : 400;
        const string interval = "0.05";
        await using var farm = await SshFarmRig.StartAsync(context, "log-latency", "127.0.0.2", withKernel: false, ct, toolchain: "gcc-12", cores: 2, withBenchKnobs: true);
        // warm-up: JIT, the server's SSH connection and git mirror
        await farm.WaitCompletedAsync(await farm.SubmitAsync(farm.FakeTreeJob(), ct), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(120), ct);

        var id = await farm.SubmitAsync(farm.FakeTreeJob(new JsonObject
        {
            ["BENCH_LOG_LINES"] = lines.ToString(CultureInfo.InvariantCulture),
            ["BENCH_LOG_INTERVAL"] = interval,
        }), ct);
        var logFile = $"{farm.Server.WorkDirectory}/job-{id}/build.log";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(60 + lines * 0.2));
        var sseTask = FollowSseAsync(farm, id, stop.Token);
        var tailTask = SshTailAsync(farm.Server, logFile, lines, stop.Token);
        var sse = await sseTask;
        var tail = await tailTask;
        await farm.WaitCompletedAsync(id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60), ct);

        if (sse.Count < lines) throw new InvalidOperationException($"SSE delivered {sse.Count} of {lines} bench lines");
        if (tail.Count < lines) throw new InvalidOperationException($"ssh tail delivered {tail.Count} of {lines} bench lines");
        context.Log($"log-latency: SSE p50 {Percentiles.Of(sse, 50):F1} p99 {Percentiles.Of(sse, 99):F1} max {sse.Max():F1} ms; " +
                    $"ssh tail p50 {Percentiles.Of(tail, 50):F1} p99 {Percentiles.Of(tail, 99):F1} max {tail.Max():F1} ms");
        return
        [
            new BenchRow(Name, "line on server → SSE client p50", Percentiles.Of(sse, 50), "ms")
            {
                Baseline = Percentiles.Of(tail, 50),
                BaselineLabel = "ssh tail -F",
                Note = $"{lines} lines, one every {interval} s, time stamped on the build server (date +%s%N) right before the write; " +
                       $"farm: tail over SSH → log actor → central build.log → SSE; max {sse.Max():F0} ms (ssh tail -F {tail.Max():F0} ms)",
            },
            new BenchRow(Name, "line on server → SSE client p99", Percentiles.Of(sse, 99), "ms")
            {
                Baseline = Percentiles.Of(tail, 99),
                BaselineLabel = "ssh tail -F",
                Target = Target.Max(250, "≤ 250 ms"),
            },
        ];
    }

    private static double NowUnixMs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10_000.0;

    /// <summary>"… bench-line I NS" → the latency in ms of that line, arriving now.</summary>
    private static bool TryLatency(string line, double nowMs, out int index, out double latencyMs)
    {
        index = 0;
        latencyMs = 0;
        var at = line.IndexOf("bench-line ", StringComparison.Ordinal);
        if (at < 0) return false;
        var parts = line[(at + 11)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out index) ||
            !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ns)) return false;
        latencyMs = nowMs - ns / 1e6;
        return true;
    }

    private static async Task<List<double>> FollowSseAsync(SshFarmRig farm, string id, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = farm.Host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = farm.Http.DefaultRequestHeaders.Authorization;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/infrastructure/build-jobs/{id}/log?follow=true");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var seen = new Dictionary<int, double>();
        string? evt = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var now = NowUnixMs();
            if (line.StartsWith("event:", StringComparison.Ordinal)) evt = line[6..].Trim();
            else if (line.Length == 0) { if (evt == "end") break; evt = null; }
            else if (line.StartsWith("data:", StringComparison.Ordinal) && TryLatency(line, now, out var i, out var ms))
                seen.TryAdd(i, ms);
        }
        return seen.Values.ToList();
    }

    private static async Task<List<double>> SshTailAsync(SshBuildServer server, string file, int lines, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ssh")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "-T", "-i", server.PrivateKeyPath, "-p", server.Port.ToString(CultureInfo.InvariantCulture),
                     "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                     $"{server.Username}@{server.IpAddress}",
                     // Wait for the file first: GNU tail started on a missing file polls once a second
                     // instead of using inotify. The timeout keeps the remote tail from outliving the run.
                     $"while [ ! -e '{file}' ]; do sleep 0.02; done; exec timeout 300 tail -c +1 -F '{file}' 2>/dev/null",
                 })
            psi.ArgumentList.Add(a);
        using var ssh = Process.Start(psi)!;
        ssh.StandardInput.Close();
        var seen = new Dictionary<int, double>();
        try
        {
            while (seen.Count < lines && await ssh.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                var now = NowUnixMs();
                if (TryLatency(line, now, out var i, out var ms)) seen.TryAdd(i, ms);
            }
        }
        finally
        {
            if (!ssh.HasExited) Proc.KillTree(ssh);
        }
        return seen.Values.ToList();
    }
}
