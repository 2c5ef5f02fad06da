using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A real Linux kernel (Debian's linux-source-6.1, tinyconfig, x86_64) built by the farm over SSH
/// through the HTTP API. The git repository of the source is made once by
/// scripts/prepare-kernel-repo.sh (also run by .ci/run) and served by a real git daemon.
/// </summary>
[Collection(RealKernelCollection.Name)]
[Trait("Tier", "Full")]
public sealed partial class RealKernelBuildTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string RepoParent = "/var/cache/kernelfarm";
    private const string RepoName = "linux-6.1.git";

    private TempDirectory _root = null!;
    private SshBuildServer _server = null!, _second = null!;
    private GitDaemon _git = null!;
    private FarmProcess _farm = null!;

    /// <summary>
    /// One farm for both tests, with the host server's ccache shared: whichever test runs first
    /// compiles the tree, the other one's compiles are mostly cache hits (each real kernel build costs
    /// minutes of the suite's two cores).
    /// </summary>
    public async Task InitializeAsync()
    {
        await EnsureKernelRepositoryAsync();
        await ContainerFarm.EnsureBuilderImageAsync();
        _root = TempDirectory.Create("kernel");
        _server = await SshBuildServer.StartAsync("127.0.0.5", niceness: RealKernelCollection.Niceness);
        _second = await SshBuildServer.StartAsync("127.0.0.6", niceness: RealKernelCollection.Niceness);
        _git = await GitDaemon.StartAsync(RepoParent, niceness: RealKernelCollection.Niceness);
        _farm = await FarmProcess.StartAsync(Path.Combine(_root.Path, "node"));
        await _farm.RegisterServerAsync(_server, "builder", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 1);
        // gcc-12 only in its image: a job placed here runs in the container
        await _farm.RegisterServerAsync(_second, "pod", ["x86_64"], [], maxJobs: 1, extra: new JsonObject
        {
            ["container_runtime"] = "podman",
            ["container_images"] = new JsonArray(ContainerFarm.ImageDeclaration()),
        });
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _git.DisposeAsync();
        await _second.DisposeAsync();
        await _server.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>
    /// Two builds of the same commit and config at once, on two servers in two different
    /// workspaces, one on the server's own toolchain and one in the builder image under podman
    /// (the same Debian gcc-12 and binutils): both complete, and their vmlinux and bzImage are
    /// byte-identical (reproducible builds: KBUILD_BUILD_TIMESTAMP from the commit, fixed user and
    /// host), so neither the container nor the host build's ccache changes anything in what is built. metadata.json and reproducer.sh
    /// describe what was built and how (podman for the container build). With boot_test on, both
    /// kernels boot in QEMU (in the container for the container build) and their init prints the
    /// marker. One pair of builds checks all of it: each real kernel build costs minutes of the
    /// suite's two cores.
    /// </summary>
    [Fact]
    public async Task A_tinyconfig_x86_64_kernel_builds_identically_on_the_host_and_in_podman_boots_and_its_artifacts_match_the_manifest()
    {
        var (farm, git) = (_farm, _git);
        // ccache on (the default): the host build compiles through it, the image has none, and both
        // kernels must still be the same bytes (CcacheSteps.CompilerFlags).
        JsonObject Request() => new()
        {
            ["source_repository"] = git.Url(RepoName),
            ["branch"] = "master",
            ["commit_hash"] = "HEAD",
            ["target_architecture"] = "x86_64",
            ["toolchain"] = "gcc-12",
            ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig", ["boot_test"] = true },
        };
        var id = await farm.SubmitAsync(Request());
        var twinId = await farm.SubmitAsync(Request());
        var job = await farm.WaitForEndAsync(id, TimeSpan.FromMinutes(35));
        var twin = await farm.WaitForEndAsync(twinId, TimeSpan.FromMinutes(35));
        Assert.True(FarmProcess.Status(job) == "completed", $"{job.ToJsonString()}\n{Tail(await farm.GetLogAsync(id))}");
        Assert.True(FarmProcess.Status(twin) == "completed", $"{twin.ToJsonString()}\n{Tail(await farm.GetLogAsync(twinId))}");
        Assert.NotEqual(job["server_id"]!.GetValue<string>(), twin["server_id"]!.GetValue<string>()); // two workspaces, two servers
        if (job["server_id"]!.GetValue<string>() == "pod") (job, twin, id, twinId) = (twin, job, twinId, id); // job: the host build
        string In(JsonNode built, string file) => Path.Combine(built["artifact_directory"]!.GetValue<string>(), file);
        var differing = new[] { "vmlinux", "bzImage", "System.map", "config" }
            .Where(file => !File.ReadAllBytes(In(job, file)).SequenceEqual(File.ReadAllBytes(In(twin, file)))).ToList();
        Assert.True(differing.Count == 0, $"{string.Join(", ", differing)} differ between the host build and the container build of the same commit\n" +
            (await Proc.RunAsync("diff", [In(job, "config"), In(twin, "config")])).Stdout +
            (await Proc.RunAsync("bash", ["-c", $"diff <(strings {In(job, "vmlinux")} | grep 'Linux version') <(strings {In(twin, "vmlinux")} | grep 'Linux version'); diff <(head -c 4000 {In(job, "build.log")}) <(head -c 4000 {In(twin, "build.log")})"])).Stdout);

        var meta = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "metadata.json")))!;
        Assert.Equal("PASS", meta["results"]!["status"]!.GetValue<string>());
        // the host build did compile through ccache (scripts/install-deps.sh installs it): hits + misses = its compiles
        var ccache = meta["ccache"];
        Assert.True(ccache is not null, "the host build did not use ccache");
        Assert.True(ccache!["hits"]!.GetValue<int>() + ccache["misses"]!.GetValue<int>() > 100, ccache.ToJsonString());
        Assert.Equal("PASS", meta["results"]!["targets"]!["kernel"]!["status"]!.GetValue<string>());
        Assert.Equal("gcc", meta["compiler"]!["name"]!.GetValue<string>());
        Assert.StartsWith("12.", meta["compiler"]!["version"]!.GetValue<string>());
        Assert.StartsWith("6.1", meta["source"]!["kernelrelease"]!.GetValue<string>());
        Assert.True(meta["vmlinux"]!["text_size"]!.GetValue<long>() > 100_000);
        Assert.Equal(0, meta["results"]!["errors"]!.GetValue<int>());
        Assert.Matches("^[0-9a-f]{40}$", meta["git"]!["commit"]!.GetValue<string>());
        var reproducer = Path.Combine(job["artifact_directory"]!.GetValue<string>(), "reproducer.sh");
        Assert.Contains(meta["git"]!["commit"]!.GetValue<string>(), await File.ReadAllTextAsync(reproducer));
        Assert.Equal(0, (await Proc.RunAsync("bash", ["-n", reproducer])).ExitCode);

        Assert.True(FarmProcess.Status(job) == "completed", $"{job.ToJsonString()}\n{Tail(await farm.GetLogAsync(id))}");
        var paths = Artifacts.Paths(job);
        foreach (var expected in new[] { "bzImage", "vmlinux", "System.map", "build.log" }) Assert.Contains(expected, paths);
        Artifacts.AssertStorageMatchesRecord(job);
        var dir = job["artifact_directory"]!.GetValue<string>();
        var bzImage = await File.ReadAllBytesAsync(Path.Combine(dir, "bzImage"));
        Assert.Equal("HdrS"u8.ToArray(), bzImage.AsSpan(0x202, 4).ToArray()); // the x86 boot protocol's magic
        var vmlinux = await File.ReadAllBytesAsync(Path.Combine(dir, "vmlinux"));
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2 }, vmlinux.AsSpan(0, 5).ToArray()); // ELF64
        Assert.Contains(" T start_kernel", await File.ReadAllTextAsync(Path.Combine(dir, "System.map")));
        Assert.Contains("modules: skipped (CONFIG_MODULES is not set)", await farm.GetLogAsync(id));

        // the twin ran in the builder image, and its container is gone
        var twinDir = twin["artifact_directory"]!.GetValue<string>();
        var twinMeta = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(twinDir, "metadata.json")))!;
        Assert.Equal("podman", twinMeta["build"]!["runtime"]!.GetValue<string>());
        Assert.Equal(ContainerFarm.Image, twinMeta["runtime"]!["image_name"]!.GetValue<string>());
        Assert.Contains($"kfarm: container: podman run --rm --name kfarm-{twinId}", await farm.GetLogAsync(twinId));
        Assert.Contains("podman run --rm -it --network=host", await File.ReadAllTextAsync(Path.Combine(twinDir, "reproducer.sh")));
        Assert.NotEqual("podman", meta["build"]?["runtime"]?.GetValue<string>());
        Artifacts.AssertStorageMatchesRecord(twin);
        await ContainerFarm.AssertContainerGoneAsync(twinId);

        // the boot test: both kernels boot, and the console shows the kernel and the farm's init
        foreach (var (built, builtId) in new[] { (job, id), (twin, twinId) })
        {
            var boot = built["boot"]!;
            Assert.True(boot["status"]!.GetValue<string>() == "pass", boot.ToJsonString());
            Assert.InRange(boot["duration_s"]!.GetValue<double>(), 0.1, 60.0);
            Assert.Null(boot["reason"]);
            var console = (await File.ReadAllTextAsync(Path.Combine(built["artifact_directory"]!.GetValue<string>(), "boot", "console.log"))).Replace("\r", "", StringComparison.Ordinal);
            Assert.Contains("\nKFARM-BOOT-OK\n", console, StringComparison.Ordinal);
            Assert.Contains("Linux version 6.1.", console, StringComparison.Ordinal);
            Assert.Contains("kfarm init: Linux 6.1.", console, StringComparison.Ordinal);
            Assert.Contains("boot/console.log", paths);
            var builtLog = await farm.GetLogAsync(builtId);
            Assert.Contains("console: KFARM-BOOT-OK", builtLog, StringComparison.Ordinal);
            Assert.Contains("boot: pass after ", builtLog, StringComparison.Ordinal);
        }
        Assert.Equal("pass", meta["boot"]!["status"]!.GetValue<string>());
        var steps = job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToArray();
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "booting", "transferring", "completed"], steps);
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private static async Task EnsureKernelRepositoryAsync()
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/prepare-kernel-repo.sh"));
        var r = await Proc.RunAsync("bash", [script, Path.Combine(RepoParent, RepoName)]);
        Assert.True(r.ExitCode == 0, $"prepare-kernel-repo.sh failed: {r.Stderr}{r.Stdout}");
    }
}
