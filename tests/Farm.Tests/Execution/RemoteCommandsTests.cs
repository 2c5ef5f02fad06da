using System.Globalization;
using System.Text;
using KernelFarm.Actors.Execution;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>
/// The SSH-side commands, run with a real local bash against temp workspaces (processes end
/// asynchronously: the tests wait for them with <see cref="Eventually"/>).
/// </summary>
public sealed class RemoteCommandsTests : IDisposable
{
    private const string JobId = "job-42";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Writes its pid like the real script, a line to build.log, then sleeps.</summary>
    private const string SleepyScript = """
        echo $$ > pid.tmp && mv pid.tmp pid
        echo started >> build.log
        sleep 30 & wait
        printf '0 done\n' > exit
        """;

    private readonly TempDir _dir = new("kfarm-remote-");
    private readonly List<int> _launched = [];

    public void Dispose()
    {
        foreach (var pg in _launched)
            LocalShell.BashC($"kill -KILL -- -{pg} 2>/dev/null; true");
        _dir.Dispose();
    }

    private string Workspace(string name = "ws") => _dir.Combine(name);

    private int Launch(string workspace, string script, string jobId = JobId)
    {
        var r = LocalShell.BashC(RemoteCommands.Launch(jobId, workspace, script), timeout: ProcessTimeout);
        Assert.True(r.ExitCode == 0, $"launch exited {r.ExitCode}: {r.Stderr}");
        Assert.Matches(@"^\d+\n$", r.StdoutText);
        var pg = int.Parse(r.StdoutText.Trim(), CultureInfo.InvariantCulture);
        _launched.Add(pg);
        return pg;
    }

    private static string Status(string workspace) => LocalShell.BashC(RemoteCommands.Status(workspace)).StdoutText;

    private static bool GroupAlive(int pg) => LocalShell.BashC($"kill -0 -- -{pg}").ExitCode == 0;

    private static int ProcessGroupOf(int pid)
    {
        // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[2], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Launch_starts_the_script_detached_in_its_own_process_group_and_prints_the_pid()
    {
        var ws = Workspace();
        var pg = Launch(ws, SleepyScript);

        Assert.Equal(pg, ProcessGroupOf(pg));
        Assert.Equal($"{pg}\n", File.ReadAllText(Path.Combine(ws, "pid")));
        Assert.Equal(JobId, File.ReadAllText(Path.Combine(ws, RemoteCommands.OwnerFile)));
        Assert.Equal(SleepyScript, File.ReadAllText(Path.Combine(ws, BuildScript.ScriptName)));
        Eventually.True(() => File.Exists(Path.Combine(ws, "build.log")) && File.ReadAllText(Path.Combine(ws, "build.log")) == "started\n", TimeSpan.FromSeconds(10), "build.log to say started");
        Assert.Equal($"running {pg}\n", Status(ws));
    }

    [Fact]
    public void Kill_terminates_the_whole_process_group_and_status_then_says_vanished()
    {
        var ws = Workspace();
        var pg = Launch(ws, SleepyScript);
        Eventually.True(() => File.Exists(Path.Combine(ws, "build.log")), TimeSpan.FromSeconds(10), "the script to write build.log");
        Assert.True(GroupAlive(pg));

        var kill = LocalShell.BashC(RemoteCommands.Kill(ws, TimeSpan.FromSeconds(2)), timeout: ProcessTimeout);

        Assert.Equal(0, kill.ExitCode);
        Eventually.True(() => !GroupAlive(pg), TimeSpan.FromSeconds(15), $"process group {pg} to be gone");
        Assert.Equal("vanished\n", Status(ws));
        Assert.False(File.Exists(Path.Combine(ws, "exit")));
    }

    [Fact]
    public void Kill_escalates_to_sigkill_for_a_group_that_ignores_sigterm()
    {
        var ws = Workspace();
        const string stubborn = """
            trap '' TERM
            echo $$ > pid.tmp && mv pid.tmp pid
            echo started >> build.log
            sleep 30 & wait
            """;
        var pg = Launch(ws, stubborn);
        Eventually.True(() => File.Exists(Path.Combine(ws, "build.log")), TimeSpan.FromSeconds(10), "the script to write build.log");

        var kill = LocalShell.BashC(RemoteCommands.Kill(ws, TimeSpan.FromMilliseconds(300)), timeout: ProcessTimeout);

        Assert.Equal(0, kill.ExitCode);
        Eventually.True(() => !GroupAlive(pg), TimeSpan.FromSeconds(15), $"process group {pg} to be gone");
        Assert.Equal("vanished\n", Status(ws));
    }

    [Fact]
    public void KillAndCleanup_of_a_group_left_with_only_a_zombie_does_not_wait_out_the_grace_period()
    {
        // The group's only process has exited but is not reaped: its parent (outside the group)
        // never waits for it. kill -0 still finds such a group; a finished build's leader is like
        // this until init reaps it. The leader exits only once its parent has become sleep (which
        // never reaps): a bash parent that had not yet exec'd reaped it, and no zombie appeared.
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        var parent = LocalShell.BashC(
            $"cd {ShellQuote.Quote(ws)} && {{ bash -c 'setsid bash -c \"echo \\$\\$ > pid; until grep -qx sleep /proc/\\$PPID/comm; do sleep 0.01; done\" & exec sleep 60' >/dev/null 2>&1 & echo $!; }}",
            timeout: ProcessTimeout).StdoutText.Trim();
        try
        {
            var pidFile = Path.Combine(ws, "pid");
            var pg = "";
            Eventually.True(() => File.Exists(pidFile) && (pg = File.ReadAllText(pidFile).Trim()).Length > 0, ProcessTimeout,
                "the group's leader to write its pid");
            // it exits right after; how soon depends on the machine's load
            Eventually.True(() => LocalShell.BashC($"ps -o stat= -p {pg} | grep -q '^Z'").ExitCode == 0, ProcessTimeout,
                "the group's leader to be a zombie");
            Assert.Equal(0, LocalShell.BashC($"kill -0 -- -{pg}").ExitCode); // which kill -0 still finds

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = LocalShell.BashC(RemoteCommands.KillAndCleanup(JobId, ws, TimeSpan.FromSeconds(60)), timeout: TimeSpan.FromSeconds(90));

            Assert.Equal(0, r.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"waited {clock.Elapsed} for a group with nothing left to stop");
        }
        finally { LocalShell.BashC($"kill {parent}"); }
    }

    [Fact]
    public void Kill_without_a_workspace_or_pid_is_a_no_op()
    {
        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Kill(Workspace("nowhere"), TimeSpan.FromSeconds(1))).ExitCode);
        var empty = Workspace("empty");
        Directory.CreateDirectory(empty);
        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Kill(empty, TimeSpan.FromSeconds(1))).ExitCode);
    }

    [Fact]
    public void A_second_launch_on_the_same_workspace_prints_the_same_pid_and_starts_nothing()
    {
        var ws = Workspace();
        var first = Launch(ws, SleepyScript);

        var second = Launch(ws, "echo $$ > pid; echo relaunched >> build.log; sleep 30");

        Assert.Equal(first, second);
        Assert.Equal(SleepyScript, File.ReadAllText(Path.Combine(ws, BuildScript.ScriptName)));
        Assert.Equal($"running {first}\n", Status(ws));
    }

    [Fact]
    public void Launch_into_a_non_empty_unowned_workspace_exits_92_and_touches_nothing()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "precious"), "data");

        var r = LocalShell.BashC(RemoteCommands.Launch(JobId, ws, SleepyScript), timeout: ProcessTimeout);

        Assert.Equal(RemoteCommands.WorkspaceForeign, r.ExitCode);
        Assert.Equal(92, r.ExitCode);
        Assert.Contains("not empty", r.Stderr);
        Assert.Equal(["precious"], Directory.GetFileSystemEntries(ws).Select(Path.GetFileName));
    }

    [Fact]
    public void Launch_into_a_workspace_owned_by_another_job_exits_92()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, RemoteCommands.OwnerFile), "job-other");

        var r = LocalShell.BashC(RemoteCommands.Launch(JobId, ws, SleepyScript), timeout: ProcessTimeout);

        Assert.Equal(RemoteCommands.WorkspaceForeign, r.ExitCode);
        Assert.Contains("belongs to another job", r.Stderr);
        Assert.Equal("job-other", File.ReadAllText(Path.Combine(ws, RemoteCommands.OwnerFile)));
        Assert.False(File.Exists(Path.Combine(ws, BuildScript.ScriptName)));
        Assert.False(File.Exists(Path.Combine(ws, "pid")));
    }

    [Fact]
    public void Launch_accepts_an_existing_empty_workspace()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        var pg = Launch(ws, SleepyScript);
        Assert.Equal($"running {pg}\n", Status(ws));
    }

    [Fact]
    public void Launch_where_the_workspace_cannot_be_created_exits_90()
    {
        var file = _dir.Combine("a-file");
        File.WriteAllText(file, "");

        var r = LocalShell.BashC(RemoteCommands.Launch(JobId, file + "/ws", SleepyScript), timeout: ProcessTimeout);

        Assert.Equal(RemoteCommands.WorkspaceUnusable, r.ExitCode);
    }

    [Fact]
    public void Launch_of_a_script_that_never_writes_its_pid_exits_91()
    {
        var r = LocalShell.BashC(RemoteCommands.Launch(JobId, Workspace(), "exit 0"), timeout: ProcessTimeout);
        Assert.Equal(RemoteCommands.ScriptDidNotStart, r.ExitCode);
        Assert.Contains("did not start", r.Stderr);
    }

    [Fact]
    public void Launch_and_status_work_with_a_hostile_workspace_name()
    {
        var canary = _dir.Combine("canary");
        var ws = _dir.Combine($"it's a $(touch {canary}) `touch {canary}` ws");
        var pg = Launch(ws, SleepyScript);

        Assert.True(Directory.Exists(ws));
        Assert.Equal($"running {pg}\n", Status(ws));
        Assert.False(File.Exists(canary));
    }

    [Fact]
    public void Status_reports_missing_workspace_and_missing_pid()
    {
        Assert.Equal("missing\n", Status(Workspace("nowhere")));
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        Assert.Equal("missing\n", Status(ws));
    }

    [Fact]
    public void Status_reports_the_exit_record_of_a_finished_script()
    {
        var ws = Workspace();
        Launch(ws, "echo $$ > pid.tmp && mv pid.tmp pid\nprintf '2 configuring\\n' > exit\n");

        Eventually.True(() => Status(ws) == "exit 2 configuring\n", TimeSpan.FromSeconds(10), "status to report the exit record");
    }

    [Fact]
    public void Status_prefers_the_exit_record_over_a_dead_pid()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "pid"), "999999\n");
        Assert.Equal("vanished\n", Status(ws));
        File.WriteAllText(Path.Combine(ws, "exit"), "0 done\n");
        Assert.Equal("exit 0 done\n", Status(ws));
    }

    [Fact]
    public void Cleanup_removes_only_a_workspace_owned_by_the_job()
    {
        var owned = Workspace("owned");
        var foreign = Workspace("foreign");
        var unmarked = Workspace("unmarked");
        foreach (var d in new[] { owned, foreign, unmarked })
        {
            Directory.CreateDirectory(Path.Combine(d, "build", "arch"));
            File.WriteAllText(Path.Combine(d, "build.log"), "log");
        }
        File.WriteAllText(Path.Combine(owned, RemoteCommands.OwnerFile), JobId);
        File.WriteAllText(Path.Combine(foreign, RemoteCommands.OwnerFile), "job-other");

        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Cleanup(JobId, owned)).ExitCode);
        LocalShell.BashC(RemoteCommands.Cleanup(JobId, foreign));
        LocalShell.BashC(RemoteCommands.Cleanup(JobId, unmarked));

        Assert.False(Directory.Exists(owned));
        Assert.True(File.Exists(Path.Combine(foreign, "build.log")));
        Assert.True(File.Exists(Path.Combine(unmarked, "build.log")));
    }

    [Fact]
    public void Cleanup_does_not_match_a_job_id_prefix()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, RemoteCommands.OwnerFile), JobId + "0");

        LocalShell.BashC(RemoteCommands.Cleanup(JobId, ws));

        Assert.True(Directory.Exists(ws));
    }

    [Fact]
    public void Cleanup_of_a_missing_workspace_succeeds() =>
        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Cleanup(JobId, Workspace("nowhere"))).ExitCode);

    [Fact]
    public void Launch_then_cleanup_after_kill_removes_the_workspace()
    {
        var ws = Workspace();
        var pg = Launch(ws, SleepyScript);
        LocalShell.BashC(RemoteCommands.Kill(ws, TimeSpan.FromSeconds(2)), timeout: ProcessTimeout);
        Eventually.True(() => !GroupAlive(pg), TimeSpan.FromSeconds(15), $"process group {pg} to be gone");

        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Cleanup(JobId, ws)).ExitCode);
        Assert.False(Directory.Exists(ws));
    }

    public static TheoryData<int> Offsets() => [0, 1, 5, 6, 17, 26, 27, 32, 33, 100];

    private static byte[] LogBytes() => Encoding.UTF8.GetBytes("line one\n==> kfarm: step ü\n\tend\n"); // 33 bytes (ü is two)

    [Theory]
    [MemberData(nameof(Offsets))]
    public void ReadLog_returns_exactly_the_bytes_after_the_offset(int offset)
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        var bytes = LogBytes();
        Assert.Equal(33, bytes.Length);
        File.WriteAllBytes(Path.Combine(ws, "build.log"), bytes);

        var r = LocalShell.BashC(RemoteCommands.ReadLog(ws, offset));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(bytes.Skip(offset).ToArray(), r.Stdout);
    }

    [Fact]
    public void ReadLog_of_a_missing_log_is_empty_and_succeeds()
    {
        var r = LocalShell.BashC(RemoteCommands.ReadLog(Workspace("nowhere"), 0));
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(33)]
    public void TailLog_of_a_finished_build_returns_the_bytes_after_the_offset_and_ends(int offset)
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllBytes(Path.Combine(ws, "build.log"), LogBytes());
        var dead = LocalShell.BashC("bash -c 'echo $$'").StdoutText.Trim(); // a pid that has exited

        var r = LocalShell.BashC(RemoteCommands.TailLog(ws, offset, int.Parse(dead, CultureInfo.InvariantCulture)), timeout: ProcessTimeout);

        Assert.Equal(LogBytes().Skip(offset).ToArray(), r.Stdout);
    }

    [Fact]
    public void TailLog_follows_a_running_build_until_its_process_group_ends()
    {
        var ws = Workspace();
        const string writer = """
            printf 'first line\n' >> build.log
            echo $$ > pid.tmp && mv pid.tmp pid
            sleep 1
            printf 'second line\n' >> build.log
            sleep 0.5
            printf 'third line\n' >> build.log
            """;
        // The log exists before the pid does: tail -F ignores the offset for a file that appears later.
        var pg = Launch(ws, writer);

        var r = LocalShell.BashC(RemoteCommands.TailLog(ws, 6, pg), timeout: ProcessTimeout);

        Assert.Equal("line\nsecond line\nthird line\n", r.StdoutText);
    }

    [Fact]
    public void TailLog_ends_at_the_exit_record_even_while_the_leader_still_answers_kill_0()
    {
        // An exited leader that init has not reaped yet answers kill -0 like a live one: a process
        // that outlives its exit record stands in for it (the farm killed nothing: it just ended).
        var ws = Workspace();
        const string writer = """
            printf 'building\n' >> build.log
            echo $$ > pid.tmp && mv pid.tmp pid
            sleep 0.5
            printf 'done\n' >> build.log
            printf '0 done\n' > exit.tmp && mv exit.tmp exit
            exec sleep 60
            """;
        var pg = Launch(ws, writer);

        var r = LocalShell.BashC(RemoteCommands.TailLog(ws, 0, pg), timeout: TimeSpan.FromSeconds(30));

        Assert.Equal("building\ndone\n", r.StdoutText);
        Assert.True(LocalShell.BashC($"kill -0 -- {pg}").ExitCode == 0, "the leader still runs: the exit record ended the tail");
    }

    [Fact]
    public void ReadManifest_and_ArtifactPath_address_files_inside_the_workspace()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "manifest.tsv"), "x\ty\tz\n");

        Assert.Equal("x\ty\tz\n", LocalShell.BashC(RemoteCommands.ReadManifest(ws)).StdoutText);
        Assert.NotEqual(0, LocalShell.BashC(RemoteCommands.ReadManifest(Workspace("nowhere"))).ExitCode);
        Assert.Equal($"{ws}/artifacts/modules/lib/x.ko", RemoteCommands.ArtifactPath(ws, "modules/lib/x.ko"));
    }

    [Fact]
    public void ReadManifest_with_a_bound_reads_no_more_than_it()
    {
        var ws = Workspace();
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "manifest.tsv"), new string('x', 10_000));

        Assert.Equal(new string('x', 100), LocalShell.BashC(RemoteCommands.ReadManifest(ws, 100)).StdoutText);
        Assert.Equal(10_000, LocalShell.BashC(RemoteCommands.ReadManifest(ws, 20_000)).StdoutText.Length);
        Assert.NotEqual(0, LocalShell.BashC(RemoteCommands.ReadManifest(Workspace("nowhere"), 100)).ExitCode);
    }
}
