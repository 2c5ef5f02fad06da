using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A farm, a real sshd build server and the git daemon of Debian's linux-source-6.1, with two real
/// tinyconfig x86_64 builds with boot_test on, submitted together at the start (they share the
/// server's two slots): one that boots, and one whose own fragment removes the serial console.
/// </summary>
public sealed class BootTestFixture : IAsyncLifetime
{
    private const string RepoParent = "/var/cache/kernelfarm";
    private const string RepoName = "linux-6.1.git";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

    private TempDirectory _root = null!;
    private SshBuildServer _server = null!;
    private GitDaemon _git = null!;
    private Task<(JsonObject Job, TimeSpan Took)> _booting = null!, _silent = null!;

    public FarmProcess Farm { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/prepare-kernel-repo.sh"));
        var r = await Proc.RunAsync("bash", [script, Path.Combine(RepoParent, RepoName)]);
        Assert.True(r.ExitCode == 0, $"prepare-kernel-repo.sh failed: {r.Stderr}{r.Stdout}");

        _root = TempDirectory.Create("boot");
        _server = await SshBuildServer.StartAsync("127.0.0.8");
        _git = await GitDaemon.StartAsync(RepoParent);
        Farm = await FarmProcess.StartAsync(Path.Combine(_root.Path, "node"));
        await Farm.RegisterServerAsync(_server, "booter", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 2);

        _booting = RunAsync(Request());
        _silent = RunAsync(Request("# CONFIG_SERIAL_8250_CONSOLE is not set"));
    }

    public JsonObject Request(params string[] fragments) => new()
    {
        ["source_repository"] = _git.Url(RepoName),
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = "x86_64",
        ["build_config"] = new JsonObject
        {
            ["kernel_config"] = "tinyconfig",
            ["kconfig_fragments"] = new JsonArray(fragments.Select(f => (JsonNode)f).ToArray()),
            ["boot_test"] = true,
        },
    };

    private async Task<(JsonObject, TimeSpan)> RunAsync(JsonObject request)
    {
        var clock = Stopwatch.StartNew();
        var id = await Farm.SubmitAsync(request);
        return (await Farm.WaitForEndAsync(id, BuildTimeout), clock.Elapsed);
    }

    /// <summary>tinyconfig with the farm's boot fragment: boots, and init prints the marker.</summary>
    public Task<(JsonObject Job, TimeSpan Took)> BootingJob => _booting;

    /// <summary>The same with "# CONFIG_SERIAL_8250_CONSOLE is not set": builds, but nothing reaches the console.</summary>
    public Task<(JsonObject Job, TimeSpan Took)> ConsolelessJob => _silent;

    public async Task DisposeAsync()
    {
        await Farm.DisposeAsync();
        await _git.DisposeAsync();
        await _server.DisposeAsync();
        _root.Dispose();
    }
}

/// <summary>build_config.boot_test end to end: real kernels built by the farm over SSH, booted in QEMU (TCG) on the build server.</summary>
public sealed class BootTestTests(BootTestFixture fixture, ITestOutputHelper output) : IClassFixture<BootTestFixture>
{
    private async Task<JsonObject> Completed(Task<(JsonObject Job, TimeSpan Took)> run, string what)
    {
        var (job, took) = await run;
        var id = job["id"]!.GetValue<string>();
        output.WriteLine($"{what}: {FarmProcess.Status(job)} in {took.TotalSeconds:F0} s, boot {job["boot"]?.ToJsonString()}");
        var transitions = job["transitions"]!.AsArray().Select(t => (Status: t!["status"]!.GetValue<string>(), At: t["at"]!.GetValue<DateTimeOffset>())).ToList();
        output.WriteLine(string.Join(", ", transitions.Zip(transitions.Skip(1), (a, b) => $"{a.Status} {(b.At - a.At).TotalSeconds:F1} s")));
        Assert.True(FarmProcess.Status(job) == "completed", $"{job.ToJsonString()}\n{Tail(await fixture.Farm.GetLogAsync(id))}");
        Assert.Null(job["failure"]);
        Artifacts.AssertStorageMatchesRecord(job);
        var steps = job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToArray();
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "booting", "transferring", "completed"], steps);
        Assert.Contains("boot/console.log", Artifacts.Paths(job));
        return job;
    }

    private static string Dir(JsonObject job) => job["artifact_directory"]!.GetValue<string>();

    private static JsonNode Metadata(JsonObject job) => JsonNode.Parse(File.ReadAllText(Path.Combine(Dir(job), "metadata.json")))!;

    [Fact]
    public async Task A_tinyconfig_kernel_with_the_boot_fragment_boots_and_passes()
    {
        var job = await Completed(fixture.BootingJob, "booting kernel");
        var boot = job["boot"]!;
        Assert.True(boot["status"]!.GetValue<string>() == "pass", boot.ToJsonString());
        Assert.InRange(boot["duration_s"]!.GetValue<double>(), 0.1, 60.0);
        Assert.Null(boot["reason"]);

        var console = (await File.ReadAllTextAsync(Path.Combine(Dir(job), "boot", "console.log"))).Replace("\r", "", StringComparison.Ordinal);
        Assert.Contains("\nKFARM-BOOT-OK\n", console, StringComparison.Ordinal);
        Assert.Contains("Linux version 6.1.", console, StringComparison.Ordinal);
        Assert.Contains("kfarm init: Linux 6.1.", console, StringComparison.Ordinal);
        Assert.Equal("pass", Metadata(job)["boot"]!["status"]!.GetValue<string>());
        var log = await fixture.Farm.GetLogAsync(job["id"]!.GetValue<string>());
        Assert.Contains("console: KFARM-BOOT-OK", log, StringComparison.Ordinal);
        Assert.Contains("boot: pass after ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kernel_whose_own_fragment_removes_the_serial_console_builds_but_fails_the_boot()
    {
        var job = await Completed(fixture.ConsolelessJob, "console-less kernel");
        var boot = job["boot"]!;
        Assert.True(boot["status"]!.GetValue<string>() == "fail", boot.ToJsonString());
        Assert.Contains("CONFIG_SERIAL_8250_CONSOLE=y", boot["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("KFARM-BOOT-OK", await File.ReadAllTextAsync(Path.Combine(Dir(job), "boot", "console.log")), StringComparison.Ordinal);
        Assert.Equal("fail", Metadata(job)["boot"]!["status"]!.GetValue<string>());
        Assert.Equal("PASS", Metadata(job)["results"]!["status"]!.GetValue<string>()); // the build itself passed
    }

    [Theory]
    [InlineData("riscv64")]
    [InlineData("i386")]
    public async Task Boot_test_on_an_architecture_without_a_boot_profile_is_a_400_naming_the_field(string arch)
    {
        var request = fixture.Request();
        request["target_architecture"] = arch;
        var (status, body) = await fixture.Farm.PostJobAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body["errors"]!.AsArray());
        Assert.Equal("build_config.boot_test", error!["field"]!.GetValue<string>());
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(60));
}
