using KernelFarm.Actors.Execution;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>
/// Runs the container wrapper and the kill/cleanup commands for real, with a stand-in runtime on
/// PATH (named podman and docker) that logs its arguments and runs the build script without a
/// container. The real podman runs in the integration tests (ContainerBuildTests).
/// </summary>
public sealed class ContainerWrapperRunTests : IDisposable
{
    private const string JobId = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    private const string Name = "kfarm-" + JobId;

    private const string FakeRuntime = """
        #!/bin/bash
        printf '%s\n' "$*" >> "$FAKE_RUNTIME_LOG"
        case "$1" in
          rm) exit 0 ;;
          run)
            [ -n "${FAKE_RUNTIME_FAIL:-}" ] && { echo "Error: localhost/x: image not known" >&2; exit 125; }
            # the words after kfarm-container are the command; the real shim is left out: it signals every process of its PID namespace
            while [ $# -gt 0 ] && [ "$1" != kfarm-container ]; do shift; done; shift
            exec "$@" ;;
        esac
        exit 3
        """;

    private readonly TempDir _dir = new("kfarm-container-");
    private readonly string _bin, _log, _ws;

    public ContainerWrapperRunTests()
    {
        _bin = _dir.Combine("bin");
        Directory.CreateDirectory(_bin);
        foreach (var runtime in ContainerCommand.Runtimes)
        {
            var path = Path.Combine(_bin, runtime);
            File.WriteAllText(path, FakeRuntime.Replace("\r", "", StringComparison.Ordinal) + "\n");
            LocalShell.MustRun("chmod", ["+x", path]);
        }
        _log = _dir.Combine("runtime.log");
        _ws = _dir.Combine("ws");
        Directory.CreateDirectory(_ws);
    }

    public void Dispose() => _dir.Dispose();

    private ContainerSpec Spec(string runtime = ContainerCommand.Podman) =>
        new() { Runtime = runtime, Image = "localhost/kernelfarm-builder:bookworm", JobId = JobId, Workspace = _ws, Cpus = 2, MemoryMb = 1024 };

    private string Env(bool failRuntime = false) =>
        $"export PATH='{_bin}':\"$PATH\" FAKE_RUNTIME_LOG='{_log}'{(failRuntime ? " FAKE_RUNTIME_FAIL=1" : "")}; ";

    /// <summary>The sandbox's definition for a container plan, then one command in it, run as the build script runs them.</summary>
    private ProcessResult RunInSandbox(string runtime, string command, bool failRuntime = false)
    {
        Assert.True(ArchitectureCatalog.Default.TryGet("x86_64", out var x86));
        var plan = new BuildPlan
        {
            JobId = JobId, Workspace = _ws, SourceRepository = "git://127.0.0.1/x.git", Branch = "master", CommitHash = "HEAD",
            Architecture = x86, Container = Spec(runtime), CustomEnv = new Dictionary<string, string> { ["SECRET_TOKEN"] = "s3cr3t" },
        };
        var script = "set -u\nexport KFARM_WS='" + _ws + "' SECRET_TOKEN=s3cr3t\ncd \"$KFARM_WS\" || exit 90\n"
            + string.Join('\n', BuildSandbox.DefineLines(plan)) + "\n" + command + "\n";
        return LocalShell.BashC(Env(failRuntime) + script);
    }

    private string[] RuntimeCalls() => File.Exists(_log) ? File.ReadAllLines(_log) : [];

    private string Ws(string file) => File.ReadAllText(Path.Combine(_ws, file));

    [Theory]
    [InlineData(ContainerCommand.Podman, "rm -f -i -t 0 " + Name)]
    [InlineData(ContainerCommand.Docker, "rm -f " + Name)]
    public void The_sandbox_records_the_container_and_runs_each_command_in_a_container_without_network_or_the_workspace_top(string runtime, string remove)
    {
        var r = RunInSandbox(runtime, "kfarm_sb bash -c 'echo \"inside $PWD $SECRET_TOKEN\"'");

        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        Assert.Contains($"inside {_ws} s3cr3t", r.StdoutText);
        Assert.Equal($"{runtime} {Name}\n", Ws("container"));
        var calls = RuntimeCalls();
        Assert.Equal(3, calls.Length);                         // the old one removed, the check, the command
        Assert.Equal(remove, calls[0]);
        var run = calls[2];
        Assert.StartsWith($"run --rm --name {Name} --pull=never --network=none --cap-drop=all --security-opt no-new-privileges", run);
        Assert.Contains("--cpus 2 --memory 1024m", run);
        foreach (var folder in BuildSandbox.WritableFolders) Assert.Contains($"--volume {_ws}/{folder}:{_ws}/{folder} ", run);
        Assert.Contains($"--volume {_ws}/fragments:{_ws}/fragments:ro ", run);
        Assert.DoesNotContain($"--volume {_ws}:", run);     // the farm's records stay out of the container
        Assert.Contains("--env SECRET_TOKEN ", run);           // by name: the value is not on a command line
        Assert.DoesNotContain("s3cr3t", run);
    }

    [Fact]
    public void A_runtime_that_cannot_start_a_container_fails_the_attempt_as_the_servers_fault()
    {
        var r = RunInSandbox(ContainerCommand.Podman, "echo unreachable", failRuntime: true);

        Assert.Equal(BuildSandbox.Unavailable, r.ExitCode);
        Assert.Contains("the build sandbox does not start on this server", r.StdoutText);
        Assert.Contains("image not known", r.StdoutText);
        Assert.DoesNotContain("unreachable", r.StdoutText);
    }

    [Theory]
    [InlineData(ContainerCommand.Podman, "rm -f -i -t 0 " + Name)]
    [InlineData(ContainerCommand.Docker, "rm -f " + Name)]
    public void Kill_removes_the_recorded_container_even_when_the_process_group_is_gone(string runtime, string remove)
    {
        File.WriteAllText(Path.Combine(_ws, "container"), $"{runtime} {Name}\n");
        File.WriteAllText(Path.Combine(_ws, "pid"), "999999\n"); // long gone

        var r = LocalShell.BashC(Env() + RemoteCommands.Kill(_ws, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([remove], RuntimeCalls());
    }

    [Fact]
    public void Kill_and_cleanup_removes_the_container_then_the_workspace()
    {
        File.WriteAllText(Path.Combine(_ws, RemoteCommands.OwnerFile), JobId);
        File.WriteAllText(Path.Combine(_ws, "container"), $"podman {Name}\n");

        var r = LocalShell.BashC(Env() + RemoteCommands.KillAndCleanup(JobId, _ws, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([$"rm -f -i -t 0 {Name}"], RuntimeCalls());
        Assert.False(Directory.Exists(_ws));
    }

    [Theory]
    [InlineData("podman kfarm-a;touch pwned")]
    [InlineData("podman kfarm-$(touch pwned)")]
    [InlineData("podman kfarm-a b")]
    [InlineData("podman other-container")]
    [InlineData("podman kfarm-")]
    [InlineData("sh kfarm-a")]
    [InlineData("touch kfarm-a")]
    [InlineData("")]
    public void A_forged_container_record_runs_nothing(string record)
    {
        File.WriteAllText(Path.Combine(_ws, "container"), record + "\n");

        var r = LocalShell.BashC(Env() + RemoteCommands.Kill(_ws, TimeSpan.FromMilliseconds(200)), workingDirectory: _ws);

        Assert.Equal(0, r.ExitCode);
        Assert.Empty(RuntimeCalls());
        Assert.False(File.Exists(Path.Combine(_ws, "pwned")));
        Assert.False(File.Exists(Path.Combine(_ws, "kfarm-a")));
    }

    [Fact]
    public void A_host_build_calls_no_runtime()
    {
        File.WriteAllText(Path.Combine(_ws, RemoteCommands.OwnerFile), JobId);
        Assert.Equal(0, LocalShell.BashC(Env() + RemoteCommands.Kill(_ws, TimeSpan.FromMilliseconds(200))).ExitCode);
        Assert.Equal(0, LocalShell.BashC(Env() + RemoteCommands.KillAndCleanup(JobId, _ws, TimeSpan.FromMilliseconds(200))).ExitCode);
        Assert.Empty(RuntimeCalls());
    }
}
