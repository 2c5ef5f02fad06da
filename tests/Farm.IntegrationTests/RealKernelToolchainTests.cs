using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A farm, a real sshd build server and the git daemon of Debian's linux-source-6.1, with two real
/// builds submitted together at the start (they share the server's two slots), both boot-tested:
/// arm64 tinyconfig + CONFIG_ARCH_VEXPRESS=y with Debian's cross gcc-12 (kernel, dtbs, booted in
/// qemu-system-aarch64), and x86_64 tinyconfig with clang-14 (LLVM=-14) whose own fragment removes
/// the serial console, so that it builds but cannot pass the boot test. (The x86_64 gcc kernel that
/// boots is RealKernelBuildTests' reproducible pair, one of them built in podman.)
/// </summary>
public sealed class RealKernelToolchainFixture : IAsyncLifetime
{
    private const string RepoParent = "/var/cache/kernelfarm";
    private const string RepoName = "linux-6.1.git";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(35);

    private TempDirectory _root = null!;
    private SshBuildServer _server = null!;
    private GitDaemon _git = null!;
    private Task<(JsonObject Job, TimeSpan Took)> _arm64 = null!, _clang = null!;

    public FarmProcess Farm { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/prepare-kernel-repo.sh"));
        var r = await Proc.RunAsync("bash", [script, Path.Combine(RepoParent, RepoName)]);
        Assert.True(r.ExitCode == 0, $"prepare-kernel-repo.sh failed: {r.Stderr}{r.Stdout}");

        _root = TempDirectory.Create("toolchains");
        _server = await SshBuildServer.StartAsync("127.0.0.8", niceness: RealKernelCollection.Niceness);
        _git = await GitDaemon.StartAsync(RepoParent, niceness: RealKernelCollection.Niceness);
        Farm = await FarmProcess.StartAsync(Path.Combine(_root.Path, "node"));
        await Farm.RegisterServerAsync(_server, "toolchains", ["x86_64", "arm64"],
            [FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-"), FarmProcess.Toolchain("clang-14", ["x86_64"])], maxJobs: 2);

        // Both builds as one TuxSuite plan (issue 15: a real-kernel plan of two builds), as a user writes it.
        var clock = Stopwatch.StartNew();
        using var submitted = await Farm.Http.PostAsync(
            $"api/v1/plans?git_repo={Uri.EscapeDataString(_git.Url(RepoName))}&git_ref=master",
            new StringContent(Plan, System.Text.Encoding.UTF8, "application/yaml"));
        var plan = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!;
        Assert.True(submitted.StatusCode == System.Net.HttpStatusCode.Accepted, plan.ToJsonString());
        PlanId = plan["id"]!.GetValue<string>();
        var jobs = plan["builds"]!.AsArray().Select(b => b!["job_id"]!.GetValue<string>()).ToList();
        _arm64 = WaitAsync(jobs[0], clock);
        _clang = WaitAsync(jobs[1], clock);
    }

    /// <summary>
    /// arm64 tinyconfig + CONFIG_ARCH_VEXPRESS=y with Debian's cross gcc-12, and x86_64 tinyconfig with
    /// clang-14 (LLVM=1 is what the farm sets for it) without the serial console; the job's tests turn the boot test on.
    /// </summary>
    public const string Plan = """
        version: 1
        name: real kernels
        jobs:
        - name: toolchains
          builds:
          - {target_arch: arm64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_ARCH_VEXPRESS=y]}
          - {target_arch: x86_64, toolchain: clang-14, kconfig: [tinyconfig, '# CONFIG_SERIAL_8250_CONSOLE is not set'], make_variables: {LLVM: 1}}
          tests: [{device: qemu, tests: [boot]}]
        """;

    /// <summary>The plan both builds were submitted as.</summary>
    public string PlanId { get; private set; } = "";

    public JsonObject Request(string arch, string toolchain, params string[] fragments) => new()
    {
        ["source_repository"] = _git.Url(RepoName),
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = arch,
        ["toolchain"] = toolchain,
        ["build_config"] = new JsonObject
        {
            ["kernel_config"] = "tinyconfig",
            ["kconfig_fragments"] = new JsonArray(fragments.Select(f => (JsonNode)f).ToArray()),
            ["boot_test"] = true,
        },
    };

    private async Task<(JsonObject, TimeSpan)> WaitAsync(string id, Stopwatch clock) => (await Farm.WaitForEndAsync(id, BuildTimeout), clock.Elapsed);

    /// <summary>arm64 tinyconfig + CONFIG_ARCH_VEXPRESS=y, cross gcc-12, dtbs, boot test on.</summary>
    public Task<(JsonObject Job, TimeSpan Took)> Arm64Job => _arm64;

    /// <summary>x86_64 tinyconfig with clang-14 and "# CONFIG_SERIAL_8250_CONSOLE is not set": builds, but nothing reaches the console.</summary>
    public Task<(JsonObject Job, TimeSpan Took)> ClangConsolelessJob => _clang;

    public async Task DisposeAsync()
    {
        await Farm.DisposeAsync();
        await _git.DisposeAsync();
        await _server.DisposeAsync();
        _root.Dispose();
    }
}

/// <summary>Real kernels built by the farm over SSH with a cross compiler and with clang, booted in QEMU (TCG) on the build server.</summary>
[Collection(RealKernelCollection.Name)]
[Trait("Tier", "Full")]
public sealed class RealKernelToolchainTests(RealKernelToolchainFixture fixture, ITestOutputHelper output) : IClassFixture<RealKernelToolchainFixture>
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
    public async Task An_arm64_tinyconfig_vexpress_kernel_cross_builds_with_its_dtbs_and_boots()
    {
        var job = await Completed(fixture.Arm64Job, "arm64 vexpress");
        var paths = Artifacts.Paths(job);
        Assert.Contains("Image", paths);
        var dtbs = paths.Where(p => p.StartsWith("dtbs/", StringComparison.Ordinal) && p.EndsWith(".dtb", StringComparison.Ordinal)).ToList();
        output.WriteLine($"dtbs: {string.Join(", ", dtbs)}");
        Assert.Contains("dtbs/arm/foundation-v8.dtb", dtbs); // arch/arm64/boot/dts/arm: the CONFIG_ARCH_VEXPRESS boards
        Assert.True(dtbs.Count >= 3, string.Join(", ", dtbs));
        foreach (var dtb in dtbs) // the flattened device tree magic, 0xd00dfeed big-endian
            Assert.Equal(new byte[] { 0xd0, 0x0d, 0xfe, 0xed }, File.ReadAllBytes(Path.Combine(Dir(job), dtb)).AsSpan(0, 4).ToArray());
        var image = await File.ReadAllBytesAsync(Path.Combine(Dir(job), "Image"));
        Assert.Equal("ARMd"u8.ToArray(), image.AsSpan(0x38, 4).ToArray()); // the arm64 Image header's magic
        var vmlinux = await File.ReadAllBytesAsync(Path.Combine(Dir(job), "vmlinux"));
        Assert.Equal(183, BitConverter.ToUInt16(vmlinux, 18)); // ELF e_machine: EM_AARCH64

        var meta = Metadata(job);
        Assert.Equal("PASS", meta["results"]!["targets"]!["dtbs"]!["status"]!.GetValue<string>());
        Assert.Equal("gcc", meta["compiler"]!["name"]!.GetValue<string>());
        Assert.StartsWith("aarch64-linux-gnu-gcc-12", meta["compiler"]!["version_full"]!.GetValue<string>());
        Assert.Equal("arm64", meta["build"]!["target_arch"]!.GetValue<string>());
        var log = await fixture.Farm.GetLogAsync(job["id"]!.GetValue<string>());
        // the versioned cross compiler, through ccache where the server has it (scripts/install-deps.sh installs it)
        Assert.Matches("ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC=(ccache )?aarch64-linux-gnu-gcc-12 ", log);

        var boot = job["boot"]!;
        Assert.True(boot["status"]!.GetValue<string>() == "pass", boot.ToJsonString());
        var console = (await File.ReadAllTextAsync(Path.Combine(Dir(job), "boot", "console.log"))).Replace("\r", "", StringComparison.Ordinal);
        Assert.Contains("\nKFARM-BOOT-OK\n", console, StringComparison.Ordinal);
        Assert.Contains("kfarm init: Linux 6.1.", console, StringComparison.Ordinal);
        Assert.Contains("aarch64", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clang_14_kernel_without_a_serial_console_builds_with_llvm_but_fails_the_boot()
    {
        var job = await Completed(fixture.ClangConsolelessJob, "clang-14 console-less kernel");
        var meta = Metadata(job);
        Assert.Equal("clang", meta["compiler"]!["name"]!.GetValue<string>());
        Assert.StartsWith("14.", meta["compiler"]!["version"]!.GetValue<string>());
        Assert.Equal("PASS", meta["results"]!["status"]!.GetValue<string>()); // the build itself passed
        var log = await fixture.Farm.GetLogAsync(job["id"]!.GetValue<string>());
        Assert.Contains("ARCH=x86_64 LLVM=-14 ", log, StringComparison.Ordinal);
        var bzImage = await File.ReadAllBytesAsync(Path.Combine(Dir(job), "bzImage"));
        Assert.Equal("HdrS"u8.ToArray(), bzImage.AsSpan(0x202, 4).ToArray());
        // kbuild records the compiler in the kernel: LLVM=-14 compiled with clang 14
        var config = await File.ReadAllTextAsync(Path.Combine(Dir(job), "config"));
        Assert.Contains("CONFIG_CC_IS_CLANG=y", config, StringComparison.Ordinal);
        Assert.Contains("CONFIG_LD_IS_LLD=y", config, StringComparison.Ordinal);

        var boot = job["boot"]!;
        Assert.True(boot["status"]!.GetValue<string>() == "fail", boot.ToJsonString());
        Assert.Contains("CONFIG_SERIAL_8250_CONSOLE=y", boot["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("KFARM-BOOT-OK", await File.ReadAllTextAsync(Path.Combine(Dir(job), "boot", "console.log")), StringComparison.Ordinal);
        Assert.Equal("fail", meta["boot"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_two_builds_ran_as_one_tuxsuite_plan_that_passed()
    {
        await fixture.Arm64Job;
        await fixture.ClangConsolelessJob;
        var plan = await Eventually.ValueAsync(
            async () => (await fixture.Farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/plans/{fixture.PlanId}"))!,
            p => p["state"]!.GetValue<string>() == "ended", TimeSpan.FromSeconds(60), "the plan to end");
        Assert.Equal("pass", plan["result"]!.GetValue<string>()); // both kernels built (the console-less one fails only its boot test)
        Assert.Equal(2, plan["counts"]!["completed"]!.GetValue<int>());
        Assert.Equal(["arm64", "x86_64"], plan["builds"]!.AsArray().Select(b => b!["target_arch"]!.GetValue<string>()));
        var clang = await fixture.Farm.GetJobAsync(plan["builds"]![1]!["job_id"]!.GetValue<string>());
        Assert.Equal("clang-14", clang["toolchain"]!.GetValue<string>());
        Assert.True(clang["build_config"]!["boot_test"]!.GetValue<bool>()); // the plan job's tests
    }

    [Theory]
    [InlineData("riscv64")]
    [InlineData("i386")]
    public async Task Boot_test_on_an_architecture_without_a_boot_profile_is_a_400_naming_the_field(string arch)
    {
        var request = fixture.Request(arch, "gcc-12");
        var (status, body) = await fixture.Farm.PostJobAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body["errors"]!.AsArray());
        Assert.Equal("build_config.boot_test", error!["field"]!.GetValue<string>());
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(60));
}
