using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Transfer;

/// <summary>
/// Issue 6, figure 5: artifact throughput against scp of the same file, and the host's memory while
/// it moves a 1 GiB artifact (100 MiB with --quick).
/// <para>
/// A farm job on a real sshd build server (<see cref="SshFarmRig"/>) whose build writes a random
/// file (custom_env BENCH_ARTIFACT_MB) matched by artifact_patterns, workspace kept. Farm transfer:
/// the job's <c>transferring</c> state until <c>completed</c> (from the job's persisted transitions):
/// SFTP from the server into central storage's staging folder, sha256 verified against the remote
/// manifest, renamed into place, metadata written. HTTP download: GET …/artifacts/{path} into a
/// file (what a client does next). Baseline for both: OpenSSH <c>scp</c> of the same file from the
/// same server into a local file (a fresh connection, no verification), measured right after.
/// </para>
/// Memory: the host's VmRSS sampled every 50 ms from 3 s before the job until the download ended,
/// its peak against the idle value just before (the ratio); flat means the file is streamed, never
/// held in memory.
/// </summary>
public sealed class TransferScenario : IScenario
{
    public string Name => "transfer";
    public string Description => "artifact MB/s (SFTP to storage, HTTP download) against scp; host RSS on a 1 GiB artifact";

    public async Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct)
    {
        var mib = context.Quick ? 100 : 1024;
        await using var farm = await SshFarmRig.StartAsync(context, "transfer", "127.0.0.2", withKernel: false, ct, toolchain: "gcc-12", cores: 2, withBenchKnobs: true);
        // warm-up: JIT, the SSH connection, a small transfer, the download path
        var warm = await farm.WaitCompletedAsync(await farm.SubmitAsync(farm.FakeTreeJob(), ct), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(120), ct);
        var warmTransfer = (FarmRun.TransitionAt(warm, "completed") - FarmRun.TransitionAt(warm, "transferring")).TotalSeconds;
        var warmDir = context.NewDirectory("transfer-warm");
        await DownloadAsync(farm, warm["id"]!.GetValue<string>(), "vmlinux", Path.Combine(warmDir, "vmlinux"), ct);

        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var idle = farm.Host.RssMiB();
        var peak = idle;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                try { peak = Math.Max(peak, farm.Host.RssMiB()); }
                catch (InvalidOperationException) { return; }
                try { await Task.Delay(50, sampling.Token); }
                catch (OperationCanceledException) { return; }
            }
        }, CancellationToken.None);

        double farmSeconds, httpSeconds, scpSeconds;
        long size;
        var dest = context.NewDirectory("transfer");
        try
        {
            var id = await farm.SubmitAsync(farm.FakeTreeJob(new JsonObject { ["BENCH_ARTIFACT_MB"] = mib.ToString(CultureInfo.InvariantCulture) },
                ["bench/blob.bin"], keepWorkspace: true), ct);
            var job = await farm.WaitCompletedAsync(id, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60 + mib / 2.0), ct);
            var entry = job["artifacts"]!.AsArray().First(a => a!["path"]!.GetValue<string>().EndsWith("blob.bin", StringComparison.Ordinal))!;
            size = entry["size"]!.GetValue<long>();
            if (size != mib * 1024L * 1024) throw new InvalidOperationException($"artifact is {size} bytes, not {mib} MiB");
            farmSeconds = (FarmRun.TransitionAt(job, "completed") - FarmRun.TransitionAt(job, "transferring")).TotalSeconds;
            context.Log($"transfer: farm SFTP → storage {size / 1048576.0 / farmSeconds:F0} MiB/s ({farmSeconds:F2} s), RSS peak so far {peak:F0} MiB (idle {idle:F0})");

            var http = Path.Combine(dest, "http.bin");
            var clock = Stopwatch.StartNew();
            var got = await DownloadAsync(farm, id, entry["path"]!.GetValue<string>(), http, ct);
            httpSeconds = clock.Elapsed.TotalSeconds;
            if (got != size) throw new InvalidOperationException($"downloaded {got} of {size} bytes");
            File.Delete(http);
            await Task.Delay(1000, ct); // let the sampler see the host after the download
            await sampling.CancelAsync();
            await sampler;
            context.Log($"transfer: HTTP download {size / 1048576.0 / httpSeconds:F0} MiB/s, host RSS peak {peak:F0} MiB");

            var remote = $"{farm.Server.WorkDirectory}/job-{id}/build/bench/blob.bin";
            var scp = Path.Combine(dest, "scp.bin");
            scpSeconds = await ScpAsync(farm.Server, remote, scp, ct);
            if (new FileInfo(scp).Length != size) throw new InvalidOperationException("scp copied a different size");
            File.Delete(scp);
            context.Log($"transfer: scp {size / 1048576.0 / scpSeconds:F0} MiB/s");
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
            try { Directory.Delete(dest, recursive: true); } catch (IOException) { }
        }

        var mb = size / 1048576.0;
        var scpRate = mb / scpSeconds;
        return
        [
            new BenchRow(Name, $"build server → central storage, {mib} MiB artifact", mb / farmSeconds, "MiB/s")
            {
                Baseline = scpRate,
                BaselineLabel = "scp",
                Target = Target.Min(scpRate, "≥ 1.0× scp"),
                Note = $"the job's transferring → completed: SFTP into staging, sha256 verified, renamed into place ({farmSeconds:F2} s; {warmTransfer:F2} s of it is the fixed part, a trivial job's); scp: the same file, same server, no verification ({scpSeconds:F2} s)",
            },
            new BenchRow(Name, $"HTTP artifact download, {mib} MiB", mb / httpSeconds, "MiB/s")
            {
                Baseline = scpRate,
                BaselineLabel = "scp",
                Note = $"GET …/artifacts/{{path}} from central storage into a file ({httpSeconds:F2} s)",
            },
            new BenchRow(Name, $"host RSS peak moving a {mib} MiB artifact", peak, "MiB")
            {
                Baseline = idle,
                BaselineLabel = "idle",
                Target = Target.Max(idle + 64, $"≤ idle + 64 MiB ({idle + 64:F0})"),
                Note = $"VmRSS every 50 ms through the job and the download, peak {peak - idle:+0.0;-0.0} MiB over idle ({peak / idle:F2}×)",
            },
        ];
    }

    private static async Task<long> DownloadAsync(SshFarmRig farm, string id, string path, string file, CancellationToken ct)
    {
        using var response = await farm.Http.GetAsync($"api/v1/infrastructure/build-jobs/{id}/artifacts/{path}", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await using var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await body.CopyToAsync(output, 1 << 16, ct);
        return output.Length;
    }

    private static async Task<double> ScpAsync(SshBuildServer server, string remote, string local, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await Proc.RunAsync("scp",
        [
            "-q", "-i", server.PrivateKeyPath, "-P", server.Port.ToString(CultureInfo.InvariantCulture),
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            $"{server.Username}@{server.IpAddress}:{remote}", local,
        ], ct, throwOnError: true);
        return clock.Elapsed.TotalSeconds;
    }
}
