using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// SSH and build-server faults on a single node: the connection to a server is cut for real
/// (its sshd session processes SIGKILLed), a whole server dies mid-build and comes back, and a
/// build that fails on its own is never mistaken for a server fault.
/// </summary>
public sealed class SshFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Cutting_the_ssh_connection_several_times_mid_build_keeps_the_build_running_and_the_log_gap_free()
    {
        await using var env = await FaultFarm.StartAsync([new("x86", "127.0.0.40", ["x86_64"])]);
        var server = env["x86"];
        const int seconds = 10;
        var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: seconds));
        await env.WaitForCcLineAsync(id, 1, Timeout);
        var workspace = Path.Combine(server.WorkDirectory, "job-" + id);
        var pgid = int.Parse((await File.ReadAllTextAsync(Path.Combine(workspace, "pid"))).Trim());

        // Cut the connection that streams the log, wait until the farm has streamed again over a
        // new one, cut that one too ... for as long as the build still runs.
        var cut = new List<int>();
        while (cut.Count < 5 && !env.LiveLog(id).Contains($"init/file{seconds - 2}.o\n"))
        {
            var connection = await StreamingConnectionAsync(server, workspace, pgid, cut, TimeSpan.FromSeconds(15));
            if (connection is null) break; // the build ended meanwhile
            // the build itself must not be touched: it is in its own process group
            Assert.NotEqual(pgid, connection.ProcessGroup);
            ProcessKiller.KillAll([connection.Pid], TimeSpan.FromSeconds(10));
            cut.Add(connection.Pid);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} cut sshd session {connection.Pid} at {FaultFarm.CcNumbers(env.LiveLog(id)).LastOrDefault()} s");
        }
        Assert.True(cut.Count >= 3, $"only {cut.Count} connections were cut during the build");
        Assert.Contains(pgid.ToString(), server.RunAsBuildUser($"pgrep -g {pgid} || true")); // the build outlived them all

        var job = await env.Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Single(job["attempts"]!.AsArray());
        Artifacts.AssertStorageMatchesRecord(job);
        var log = await env.Farm.GetLogAsync(id);
        Assert.Equal(Enumerable.Range(1, seconds).ToList(), FaultFarm.CcNumbers(log)); // no gap, no duplicate
        Assert.Equal(1, FaultFarm.StepCount(log, "building"));
        Assert.Equal(1, FaultFarm.CommitLines(log));
        Assert.Equal("", server.RunAsBuildUser($"pgrep -g {pgid} || true").Trim());
    }

    /// <summary>
    /// The sshd session process ("sshd: kfbuild@notty") whose channel runs the `tail` that streams
    /// the job's log, once there is one that was not cut before.
    /// </summary>
    private static async Task<ProcEntry?> StreamingConnectionAsync(SshBuildServer server, string workspace, int pgid,
        IReadOnlyCollection<int> exclude, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!ProcessKiller.IsAlive(pgid)) return null;
            var marked = server.SessionProcessIds().ToHashSet();
            var table = ProcTable.Snapshot();
            foreach (var tail in table.Values.Where(p => marked.Contains(p.Pid) && p.CommandLine.StartsWith("tail ", StringComparison.Ordinal)
                         && p.CommandLine.Contains($"--pid={pgid}") && p.CommandLine.Contains(workspace + "/build.log")))
            {
                var sshd = ProcTable.Ancestor(table, tail.Pid, p => p.CommandLine.StartsWith("sshd: ", StringComparison.Ordinal) && p.CommandLine.EndsWith("@notty", StringComparison.Ordinal));
                if (sshd is not null && !exclude.Contains(sshd.Pid)) return sshd;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no new sshd session streams the log of {workspace}:\n{string.Join('\n', ProcTable.Snapshot().Values.Where(p => p.CommandLine.Contains("sshd") || p.CommandLine.Contains("tail")).Select(p => $"{p.Pid} {p.ParentPid} {p.ProcessGroup} {p.CommandLine}"))}");
    }
}
