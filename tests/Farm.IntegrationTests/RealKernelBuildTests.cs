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
public sealed class RealKernelBuildTests
{
    private const string RepoParent = "/var/cache/kernelfarm";
    private const string RepoName = "linux-6.1.git";

    [Fact]
    public async Task A_tinyconfig_x86_64_kernel_builds_and_its_artifacts_match_the_manifest()
    {
        await EnsureKernelRepositoryAsync();
        using var root = TempDirectory.Create("kernel");
        await using var server = await SshBuildServer.StartAsync("127.0.0.5");
        await using var git = await GitDaemon.StartAsync(RepoParent);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"));
        await farm.RegisterServerAsync(server, "builder", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 1);

        var id = await farm.SubmitAsync(new JsonObject
        {
            ["source_repository"] = git.Url(RepoName),
            ["branch"] = "master",
            ["commit_hash"] = "HEAD",
            ["target_architecture"] = "x86_64",
            ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig" },
        });
        var job = await farm.WaitForEndAsync(id, TimeSpan.FromMinutes(20));

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
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private static async Task EnsureKernelRepositoryAsync()
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/prepare-kernel-repo.sh"));
        var r = await Proc.RunAsync("bash", [script, Path.Combine(RepoParent, RepoName)]);
        Assert.True(r.ExitCode == 0, $"prepare-kernel-repo.sh failed: {r.Stderr}{r.Stdout}");
    }
}
