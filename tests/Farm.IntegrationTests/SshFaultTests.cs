using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// SSH and build-server faults on a single node: the connection to a server is cut for real
/// (its sshd session processes SIGKILLed), a whole server dies mid-build (or reboots) and comes
/// back, the build is terminated under the farm's feet, and a build that fails on its own is
/// never mistaken for a server fault.
/// </summary>
[Trait("Tier", "Full")] // fault injection
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
        Assert.Equal("", server.LiveProcessesInGroup(pgid));
    }

    [Fact]
    public async Task A_build_server_that_dies_mid_build_fails_the_attempt_the_job_is_retried_elsewhere_and_the_server_recovers()
    {
        var probe = TimeSpan.FromSeconds(2);
        await using var env = await FaultFarm.StartAsync(
            [new("x86-a", "127.0.0.41", ["x86_64"]), new("x86-b", "127.0.0.42", ["x86_64"])],
            new Dictionary<string, string> { ["Farm__ProbeInterval"] = "00:00:02", ["Farm__ReattachAttempts"] = "2" });
        const int seconds = 6;
        for (var round = 1; round <= 2; round++)
        {
            var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: seconds));
            await env.WaitForCcLineAsync(id, 2, Timeout);
            var dead = (await env.Farm.GetJobAsync(id))["server_id"]!.GetValue<string>();
            var other = dead == "x86-a" ? "x86-b" : "x86-a";
            var workspace = Path.Combine(env[dead].WorkDirectory, "job-" + id);
            var pgid = int.Parse((await File.ReadAllTextAsync(Path.Combine(workspace, "pid"))).Trim());

            await env[dead].StopAsync();
            var killedAt = DateTime.UtcNow;
            Assert.False(ProcessKiller.IsAlive(pgid), "StopAsync left the build running");

            // Health is the pool's own finding: a few probe intervals, no help from the job.
            var down = await env.WaitForServerAsync(dead, s => s["health"]!.GetValue<string>() == "unhealthy", Timeout);
            var noticed = DateTime.UtcNow - killedAt;
            output.WriteLine($"round {round}: job {id} on {dead}; unhealthy after {noticed.TotalSeconds:0.0} s: {down["last_probe_error"]}");
            Assert.True(noticed <= 4 * probe, $"{dead} was reported unhealthy only after {noticed}");

            var job = await env.Farm.WaitForEndAsync(id, Timeout);
            Assert.Equal("completed", FarmProcess.Status(job));
            Assert.Equal(other, job["server_id"]!.GetValue<string>());
            var attempts = job["attempts"]!.AsArray().Select(a => a!.AsObject()).ToList();
            Assert.Equal(2, attempts.Count);
            Assert.Equal(dead, attempts[0]["server_id"]!.GetValue<string>());
            Assert.Equal("infrastructure", attempts[0]["failure"]!["kind"]!.GetValue<string>());
            Assert.Equal("building", attempts[0]["failure"]!["step"]!.GetValue<string>());
            Assert.Equal(other, attempts[1]["server_id"]!.GetValue<string>());
            Assert.Null(attempts[1]["failure"]);
            Assert.Null(job["failure"]);
            Artifacts.AssertStorageMatchesRecord(job);
            // The attempt that counted went through every step on the other server ...
            var statuses = job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToList();
            Assert.Equal(["assigned", "preparing", "configuring", "building", "collecting", "transferring", "completed"],
                statuses.Skip(statuses.LastIndexOf("assigned")).ToList());
            // ... and its log is whole: everything after its own start, once, with no gap.
            var log = await env.Farm.GetLogAsync(id);
            var last = log.LastIndexOf("==> kfarm: step preparing\n", StringComparison.Ordinal);
            Assert.True(last > 0, "the log does not show the second attempt starting");
            var retried = log[last..];
            Assert.Equal(1, FaultFarm.CommitLines(retried));
            Assert.Equal(1, FaultFarm.StepCount(retried, "building"));
            Assert.Equal(Enumerable.Range(1, seconds).ToList(), FaultFarm.CcNumbers(retried));
            Assert.Equal(0, (await env.GetServerAsync(dead))["slots_in_use"]!.GetValue<int>());

            await env[dead].RestartAsync();
            var restartedAt = DateTime.UtcNow;
            await env.WaitForServerAsync(dead, s => s["health"]!.GetValue<string>() == "healthy", Timeout);
            Assert.True(DateTime.UtcNow - restartedAt <= 4 * probe, $"{dead} came back healthy only after {DateTime.UtcNow - restartedAt}");
        }
    }

    [Fact]
    public async Task A_build_failure_is_never_retried()
    {
        await using var env = await FaultFarm.StartAsync(
            [new("x86-a", "127.0.0.43", ["x86_64"]), new("x86-b", "127.0.0.44", ["x86_64"])],
            new Dictionary<string, string> { ["Farm__MaxAttempts"] = "3" });
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add(await env.Farm.SubmitAsync(env.Job(fragments: ["CONFIG_FAKE_BROKEN=y"])));
        foreach (var id in ids)
        {
            var job = await env.Farm.WaitForEndAsync(id, Timeout);
            Assert.Equal("failed", FarmProcess.Status(job));
            Assert.Equal("build", job["failure"]!["kind"]!.GetValue<string>());
            Assert.Equal("building", job["failure"]!["step"]!.GetValue<string>());
            Assert.Equal(2, job["failure"]!["exit_code"]!.GetValue<int>());
            Assert.Contains("error: fake compile error", await env.Farm.GetLogAsync(id));
        }
        // For longer than the retry back-off (1 s, doubling): nothing comes back to life.
        await Consistently.HoldsAsync(async () =>
        {
            foreach (var id in ids)
            {
                var job = await env.Farm.GetJobAsync(id);
                Assert.Equal("failed", FarmProcess.Status(job));
                var attempt = Assert.Single(job["attempts"]!.AsArray())!.AsObject();
                Assert.Equal("build", attempt["failure"]!["kind"]!.GetValue<string>());
                Assert.Equal(1, FaultFarm.StepCount(await env.Farm.GetLogAsync(id), "building"));
                Assert.DoesNotContain($"job {id}: attempt 2", File.ReadAllText(env.Farm.LogPath));
            }
        }, TimeSpan.FromSeconds(4), every: TimeSpan.FromSeconds(1));
        foreach (var s in new[] { "x86-a", "x86-b" }) await env.WaitForIdleAsync(s, Timeout);
    }

    [Fact]
    public async Task After_a_retry_on_another_server_a_cut_connection_resumes_the_retried_attempts_log_without_gap_or_duplicate()
    {
        // A generous re-attach budget: this test is about where the log resumes, not about the budget.
        await using var env = await FaultFarm.StartAsync(
            [new("x86-a", "127.0.0.45", ["x86_64"]), new("x86-b", "127.0.0.46", ["x86_64"])],
            new Dictionary<string, string> { ["Farm__ReattachAttempts"] = "10" });
        const int seconds = 8;
        // The first server reboots: attempt 1 ends as "disappeared" (found by a status check, so
        // its re-attach budget is not what ends it) and the retry runs on the other server.
        var (id, other) = await RetriedOnTheOtherServerAsync(env, seconds, reboot: true);
        var cut = await CutStreamingConnectionsAsync(env[other], id, 2);
        Assert.True(cut >= 1, "the retried build ended before its connection could be cut");

        var job = await env.Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Equal(2, job["attempts"]!.AsArray().Count);
        var log = await env.Farm.GetLogAsync(id);
        output.WriteLine(log);
        // one start per attempt, and the attempt that counted is whole: every line once, in order
        Assert.Equal(2, FaultFarm.StepCount(log, "preparing"));
        Assert.Equal(2, FaultFarm.CommitLines(log));
        var retried = SecondAttempt(log);
        Assert.Equal(1, FaultFarm.StepCount(retried, "building"));
        Assert.Equal(1, FaultFarm.StepCount(retried, "collecting"));
        Assert.Equal(Enumerable.Range(1, seconds).ToList(), FaultFarm.CcNumbers(retried));
    }

    [Fact]
    public async Task A_retried_attempt_gets_its_own_reattach_budget()
    {
        // Attempt 1 uses up its re-attach budget on the dead server; attempt 2 must start with a
        // fresh one, so a single dropped connection is re-attached, not taken for a lost server.
        await using var env = await FaultFarm.StartAsync(
            [new("x86-a", "127.0.0.47", ["x86_64"]), new("x86-b", "127.0.0.48", ["x86_64"])],
            new Dictionary<string, string> { ["Farm__ReattachAttempts"] = "2" });
        const int seconds = 8;
        var (id, other) = await RetriedOnTheOtherServerAsync(env, seconds);
        Assert.Equal(1, await CutStreamingConnectionsAsync(env[other], id, 1));

        var job = await env.Farm.WaitForAsync(id, j => FarmProcess.Status(j) is "completed" or "failed" or "cancelled"
            || j["attempts"]!.AsArray().Count > 2 || j["attempts"]!.AsArray()[1]!["failure"] is not null, Timeout);
        var attempts = job["attempts"]!.AsArray();
        Assert.True(attempts[1]!["failure"] is null, $"attempt 2 failed after one dropped connection: {attempts[1]!["failure"]?.ToJsonString()}");
        Assert.Equal(2, attempts.Count);
        Assert.Equal("completed", FarmProcess.Status(job));
    }

    [Fact]
    public async Task When_the_only_server_reboots_mid_build_the_retry_builds_afresh_on_it()
    {
        // A reboot: sshd and the build die, the workspace (with the dead build's pid file) stays.
        await using var env = await FaultFarm.StartAsync([new("x86", "127.0.0.49", ["x86_64"])]);
        var server = env["x86"];
        const int seconds = 6;
        var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: seconds));
        await env.WaitForCcLineAsync(id, 2, Timeout);
        await server.StopAsync();
        await server.RestartAsync();

        var job = await env.Farm.WaitForEndAsync(id, Timeout);
        Assert.True(FarmProcess.Status(job) == "completed", $"the retry on the rebooted server did not build: {job["attempts"]!.ToJsonString()}");
        var attempts = job["attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("infrastructure", attempts[0]!["failure"]!["kind"]!.GetValue<string>());
        Assert.All(attempts, a => Assert.Equal("x86", a!["server_id"]!.GetValue<string>()));
        Artifacts.AssertStorageMatchesRecord(job);
        var retried = SecondAttempt(await env.Farm.GetLogAsync(id));
        Assert.Equal(Enumerable.Range(1, seconds).ToList(), FaultFarm.CcNumbers(retried));
        Assert.True(await Eventually.GoneAsync(Path.Combine(server.WorkDirectory, "job-" + id)), "workspace left behind");
    }

    [Fact]
    public async Task A_build_terminated_on_the_server_is_not_taken_for_a_success_and_does_not_hang()
    {
        // Someone (an operator, a shutdown script) sends SIGTERM to the build's process group.
        await using var env = await FaultFarm.StartAsync([new("x86", "127.0.0.50", ["x86_64"])]);
        var server = env["x86"];
        var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: 30));
        await env.WaitForCcLineAsync(id, 2, Timeout);
        var workspace = Path.Combine(server.WorkDirectory, "job-" + id);
        var pgid = int.Parse((await File.ReadAllTextAsync(Path.Combine(workspace, "pid"))).Trim());
        server.RunAsBuildUser($"kill -TERM -- -{pgid}");

        JsonObject job;
        try
        {
            job = await env.Farm.WaitForAsync(id, j => FarmProcess.Status(j) is "completed" or "failed" or "cancelled"
                || j["attempts"]!.AsArray().Count > 1 || j["attempts"]!.AsArray()[0]!["failure"] is not null, TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException e)
        {
            var exit = File.Exists(Path.Combine(workspace, "exit")) ? File.ReadAllText(Path.Combine(workspace, "exit")).Trim() : "(none)";
            throw new Xunit.Sdk.XunitException($"20 s after the build was terminated the job still has not noticed; the workspace's exit file says \"{exit}\"\n{e.Message}");
        }
        var first = job["attempts"]!.AsArray()[0]!.AsObject();
        Assert.True(first["failure"] is not null, $"the terminated build was taken for a success: {job.ToJsonString()}");
        // It died while building: that is where the attempt failed (it never had artifacts to transfer).
        Assert.True(first["failure"]!["step"]!.GetValue<string>() == "building",
            $"the terminated build's attempt failed in {first["failure"]!["step"]} ({first["failure"]!["message"]}); the workspace's exit file said "
            + $"\"{(File.Exists(Path.Combine(workspace, "exit")) ? File.ReadAllText(Path.Combine(workspace, "exit")).Trim() : "(gone)")}\"");
    }

    /// <summary>
    /// Runs a job, kills its server once the build is under way (with <paramref name="reboot"/>
    /// starts it again at once) and waits until the retry builds on the other server and its log
    /// (after the second start marker) shows init/file2.
    /// </summary>
    private static async Task<(string Id, string Other)> RetriedOnTheOtherServerAsync(FaultFarm env, int seconds, bool reboot = false)
    {
        var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: seconds));
        await env.WaitForCcLineAsync(id, 3, Timeout);
        var dead = (await env.Farm.GetJobAsync(id))["server_id"]!.GetValue<string>();
        var other = env.Servers.Keys.Single(k => k != dead);
        await env[dead].StopAsync();
        if (reboot) await env[dead].RestartAsync();
        await env.Farm.WaitForAsync(id, j => j["server_id"]?.GetValue<string>() == other && FarmProcess.Status(j) == "building"
            && SecondAttempt(env.LiveLog(id)).Contains("init/file2.o\n"), Timeout);
        return (id, other);
    }

    /// <summary>Cuts the connection streaming the job's log up to <paramref name="times"/> times (each a new one); returns how many.</summary>
    private static async Task<int> CutStreamingConnectionsAsync(SshBuildServer server, string id, int times)
    {
        var workspace = Path.Combine(server.WorkDirectory, "job-" + id);
        var pgid = int.Parse((await File.ReadAllTextAsync(Path.Combine(workspace, "pid"))).Trim());
        var cut = new List<int>();
        while (cut.Count < times)
        {
            var connection = await StreamingConnectionAsync(server, workspace, pgid, cut, TimeSpan.FromSeconds(15));
            if (connection is null) break;
            ProcessKiller.KillAll([connection.Pid], TimeSpan.FromSeconds(10));
            cut.Add(connection.Pid);
        }
        return cut.Count;
    }

    /// <summary>The log from the second "step preparing" marker on ("" before there is one).</summary>
    private static string SecondAttempt(string log)
    {
        const string start = "==> kfarm: step preparing\n";
        var first = log.IndexOf(start, StringComparison.Ordinal);
        var second = first < 0 ? -1 : log.IndexOf(start, first + start.Length, StringComparison.Ordinal);
        return second < 0 ? "" : log[second..];
    }

    /// <summary>
    /// The sshd session process ("sshd: kfbuild@notty") whose channel runs the `tail` that streams
    /// the job's log, once there is one that was not cut before.
    /// </summary>
    private static async Task<ProcEntry?> StreamingConnectionAsync(SshBuildServer server, string workspace, int pgid,
        IReadOnlyCollection<int> exclude, TimeSpan timeout)
    {
        (bool BuildEnded, ProcEntry? Session) Look()
        {
            if (!ProcessKiller.IsAlive(pgid)) return (true, null);
            var marked = server.SessionProcessIds().ToHashSet();
            var table = ProcTable.Snapshot();
            var session = table.Values
                .Where(p => marked.Contains(p.Pid) && p.CommandLine.StartsWith("tail ", StringComparison.Ordinal)
                            && p.CommandLine.Contains("--pid=") && p.CommandLine.Contains(workspace + "/build.log"))
                .Select(tail => ProcTable.Ancestor(table, tail.Pid, p => p.CommandLine.StartsWith("sshd: ", StringComparison.Ordinal) && p.CommandLine.EndsWith("@notty", StringComparison.Ordinal)))
                .FirstOrDefault(sshd => sshd is not null && !exclude.Contains(sshd.Pid));
            return (false, session);
        }
        try
        {
            return (await Eventually.ValueAsync(() => Task.FromResult(Look()), l => l.BuildEnded || l.Session is not null, timeout,
                $"a new sshd session streaming the log of {workspace}", every: TimeSpan.FromMilliseconds(100))).Session;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}:\n{string.Join('\n', ProcTable.Snapshot().Values.Where(p => p.CommandLine.Contains("sshd") || p.CommandLine.Contains("tail")).Select(p => $"{p.Pid} {p.ParentPid} {p.ProcessGroup} {p.CommandLine}"))}", e);
        }
    }
}
