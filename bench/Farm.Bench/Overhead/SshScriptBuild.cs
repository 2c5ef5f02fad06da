using System.Diagnostics;
using System.Globalization;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Servers;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Overhead;

/// <summary>What the plain script took: the whole run and its phases (as the script printed them).</summary>
public sealed record ScriptRun(TimeSpan Total, IReadOnlyDictionary<string, double> Phases, string OutputDirectory, double LoadAverage)
{
    public string Steps() => string.Join(", ", Phases.Select(p => $"{p.Key} {p.Value.ToString("F1", CultureInfo.InvariantCulture)} s"));
}

/// <summary>
/// The baseline of the overhead scenario: a farm job's steps run by hand by a plain bash script, as
/// a developer would write it: one <c>ssh</c> (the same key, the server's host key pinned) that clones
/// (<c>git clone --depth 1 --branch master</c>), runs <c>make O=… ARCH=x86_64 tinyconfig</c> and
/// <c>make -jN bzImage</c> with the farm's fixed <c>KBUILD_BUILD_USER/HOST</c> and
/// <c>KBUILD_BUILD_TIMESTAMP</c> (the commit's time) and <c>LC_ALL=C</c>, the make output into a log
/// file on the server; then one <c>scp</c> of bzImage, vmlinux and System.map back.
/// </summary>
public static class SshScriptBuild
{
    private const string Script = """
        #!/bin/bash
        # A farm job's steps by hand: one ssh session clones, configures and builds; one scp copies the artifacts back.
        set -euo pipefail
        key=$1 port=$2 dest=$3 known=$4 ws=$5 repo=$6 jobs=$7 out=$8
        opts=(-F /dev/null -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$known" -o LogLevel=ERROR)
        since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
        t0=$EPOCHREALTIME
        ssh "${opts[@]}" -p "$port" "$dest" bash -s -- "$ws" "$repo" "$jobs" <<'REMOTE'
        set -euo pipefail
        ws=$1 repo=$2 jobs=$3
        since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
        export LC_ALL=C KBUILD_BUILD_USER=kernelfarm KBUILD_BUILD_HOST=kernelfarm
        mkdir -p "$ws" && cd "$ws"
        t=$EPOCHREALTIME
        git clone -q --depth 1 --branch master "$repo" source </dev/null
        export KBUILD_BUILD_TIMESTAMP="@$(git -C source log -1 --format=%ct)"
        echo "phase clone $(since "$t")"
        t=$EPOCHREALTIME
        make -C source O="$ws/build" ARCH=x86_64 tinyconfig </dev/null >build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
        echo "phase configure $(since "$t")"
        t=$EPOCHREALTIME
        make -C source O="$ws/build" ARCH=x86_64 "-j$jobs" bzImage </dev/null >>build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
        echo "phase build $(since "$t")"
        REMOTE
        echo "phase ssh $(since "$t0")"
        t=$EPOCHREALTIME
        scp "${opts[@]}" -q -P "$port" "$dest:$ws/build/arch/x86/boot/bzImage" "$dest:$ws/build/vmlinux" "$dest:$ws/build/System.map" "$out/"
        echo "phase scp $(since "$t")"
        """;

    private static int _runs;

    /// <summary>
    /// Runs the script against the rig's server for <paramref name="repoUrl"/>; the remote workspace
    /// is removed afterwards (not timed: the farm removes its own after <c>completed</c> as well).
    /// </summary>
    public static async Task<ScriptRun> RunAsync(BenchContext context, SshFarmRig rig, string repoUrl, TimeSpan timeout, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _runs);
        var dir = Path.Combine(rig.Root.Path, $"script-{n}");
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "build-by-hand.sh");
        await File.WriteAllTextAsync(script, Script.Replace("\r", "", StringComparison.Ordinal) + "\n", ct);
        var known = Path.Combine(dir, "known_hosts");
        await File.WriteAllTextAsync(known, rig.Server.KnownHostsLine + "\n", ct);
        var output = Path.Combine(dir, "artifacts");
        Directory.CreateDirectory(output);
        var workspace = Path.Combine(rig.Server.WorkDirectory, $"script-{n}");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        ProcResult result;
        TimeSpan elapsed;
        double loadAverage;
        try
        {
            using var load = new LoadSampler();
            var clock = Stopwatch.StartNew();
            result = await Proc.RunAsync("bash",
            [
                script, rig.Server.PrivateKeyPath, rig.Server.Port.ToString(CultureInfo.InvariantCulture),
                $"{rig.Server.Username}@{rig.Server.IpAddress}", known, workspace, repoUrl,
                rig.Cores.ToString(CultureInfo.InvariantCulture), output,
            ], limit.Token);
            elapsed = clock.Elapsed;
            loadAverage = load.Mean;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the ssh script did not finish in {timeout}");
        }
        finally
        {
            // The remote build dies with its session (the rig's sshd kills leftovers on dispose); the workspace goes now.
            await Proc.RunAsync("rm", ["-rf", "--", workspace], CancellationToken.None);
        }
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"the ssh script failed ({result.ExitCode}):\n{result.Stderr}\n{result.Stdout}");
        foreach (var f in new[] { "bzImage", "vmlinux", "System.map" })
            if (!File.Exists(Path.Combine(output, f)) || new FileInfo(Path.Combine(output, f)).Length == 0)
                throw new InvalidOperationException($"the ssh script did not bring {f} back");
        var phases = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(w => w.Length == 3 && w[0] == "phase")
            .ToDictionary(w => w[1], w => double.Parse(w[2], CultureInfo.InvariantCulture));
        return new ScriptRun(elapsed, phases, output, loadAverage);
    }
}
