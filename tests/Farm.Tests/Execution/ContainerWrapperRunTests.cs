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
            for a in "$@"; do [ "$a" = KFARM_CONTAINER=1 ] && export KFARM_CONTAINER=1; done
            # the last word is the build script; the real shim is left out: it signals every process of its PID namespace
            exec bash "${@: -1}" ;;
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

    /// <summary>What the build script does that matters here: its pid only outside a container, log, artifacts, exit record.</summary>
    private string InnerScript(int exitCode = 0) => $$"""
        cd '{{_ws}}' || exit 90
        [ -n "${KFARM_CONTAINER:-}" ] || { echo $$ > pid.tmp && mv pid.tmp pid; }
        exec >>build.log 2>&1
        echo "inside: KFARM_CONTAINER=$KFARM_CONTAINER"
        mkdir -p artifacts && echo image > artifacts/bzImage
        printf '%s %s\n' {{exitCode}} {{(exitCode == 0 ? "done" : "building")}} > exit
        exit {{exitCode}}

        """;

    private string Env(bool failRuntime = false) =>
        $"export PATH='{_bin}':\"$PATH\" FAKE_RUNTIME_LOG='{_log}'{(failRuntime ? " FAKE_RUNTIME_FAIL=1" : "")}; ";

    /// <summary>Starts the wrapper as the launcher would (uploaded as kfarm-run.sh) and returns (its pid, its exit code).</summary>
    private (int Pid, int ExitCode) RunWrapper(string wrapper, bool failRuntime = false)
    {
        File.WriteAllText(Path.Combine(_ws, BuildScript.ScriptName), wrapper);
        var r = LocalShell.BashC(Env(failRuntime) + $"bash '{_ws}/{BuildScript.ScriptName}' & p=$!; wait $p; echo \"$p $?\"");
        var words = r.StdoutText.Trim().Split(' ');
        return (int.Parse(words[0]), int.Parse(words[1]));
    }

    private string[] RuntimeCalls() => File.Exists(_log) ? File.ReadAllLines(_log) : [];

    private string Ws(string file) => File.ReadAllText(Path.Combine(_ws, file));

    [Theory]
    [InlineData(ContainerCommand.Podman, "rm -f -i -t 0 " + Name)]
    [InlineData(ContainerCommand.Docker, "rm -f " + Name)]
    public void The_wrapper_records_itself_as_pid_runs_the_script_in_the_container_and_removes_it(string runtime, string remove)
    {
        var (pid, exitCode) = RunWrapper(ContainerCommand.Wrap(InnerScript(), Spec(runtime)));

        Assert.Equal(0, exitCode);
        Assert.Equal($"{pid}\n", Ws("pid"));                 // the wrapper's: the process group the farm signals
        Assert.Equal($"{runtime} {Name}\n", Ws("container"));
        Assert.Equal(InnerScript(), Ws(ContainerCommand.InnerScriptName));
        Assert.Equal("0 done\n", Ws("exit"));
        Assert.Equal("image\n", Ws("artifacts/bzImage"));
        var calls = RuntimeCalls();
        Assert.Equal(3, calls.Length);
        Assert.Equal(remove, calls[0]);                        // one left by an earlier attempt
        Assert.StartsWith($"run --rm --name {Name} --pull=never --network=host", calls[1]);
        Assert.Contains("--cpus 2 --memory 1024m", calls[1]);
        Assert.Equal(remove, calls[2]);
        var log = Ws("build.log");
        Assert.Contains($"kfarm: container: {runtime} run --rm --name {Name}", log);
        Assert.Contains("inside: KFARM_CONTAINER=1", log);
    }

    [Fact]
    public void A_failing_build_keeps_its_exit_record_and_the_container_is_removed_all_the_same()
    {
        var (_, exitCode) = RunWrapper(ContainerCommand.Wrap(InnerScript(exitCode: 2), Spec()));

        Assert.Equal(2, exitCode);
        Assert.Equal("2 building\n", Ws("exit"));
        Assert.Equal($"rm -f -i -t 0 {Name}", RuntimeCalls()[^1]);
    }

    [Fact]
    public void A_container_that_never_started_leaves_no_exit_record_so_the_farm_sees_an_infrastructure_failure()
    {
        var (_, exitCode) = RunWrapper(ContainerCommand.Wrap(InnerScript(), Spec()), failRuntime: true);

        Assert.Equal(125, exitCode);
        Assert.False(File.Exists(Path.Combine(_ws, "exit")));
        var log = Ws("build.log");
        Assert.Contains("image not known", log);
        Assert.Contains("kfarm: the container ended without an exit record (podman exit 125)", log);
        Assert.Equal($"rm -f -i -t 0 {Name}", RuntimeCalls()[^1]);
        Assert.StartsWith("vanished", LocalShell.BashC(RemoteCommands.Status(_ws)).StdoutText);
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
