using System.Text.Json.Nodes;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Bench.Farm;

/// <summary>Simulated build servers and a job request: records only, nothing is ever reached over SSH.</summary>
public static class Simulated
{
    /// <summary>
    /// A server as the README registers one: x86_64 natively and arm64 cross, two slots. Its address
    /// is a closed local port, so a probe (where probing is on) fails at once instead of hanging.
    /// </summary>
    public static BuildServer Server(int i, int slots = 2) => new()
    {
        Id = $"sim-{i:D5}",
        Hostname = $"sim-{i:D5}.bench",
        IpAddress = "127.0.0.1",
        SshPort = 9,
        SshUsername = "kfbuild",
        SshKeyPath = "/nonexistent/bench_ed25519",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = ["x86_64", "arm64"],
        Toolchains =
        [
            new Toolchain("gcc-12", ["x86_64"]),
            new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-"),
        ],
        TotalCpuCores = 16,
        TotalMemoryMb = 32768,
        TotalStorageGb = 500,
        MaxConcurrentJobs = slots,
        WorkspaceRoot = "/srv/builds",
    };

    public static BuildJobRequest Request { get; } = new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        CommitHash = "HEAD",
        TargetArchitecture = "x86_64",
        BuildConfig = new BuildConfig { KernelConfig = "tinyconfig" },
        SubmittedBy = "bench",
    };

    /// <summary>The same request as the API's JSON body (what a client POSTs).</summary>
    public static string RequestJson { get; } = new JsonObject
    {
        ["source_repository"] = "https://git.example.org/linux.git",
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = "x86_64",
        ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig" },
    }.ToJsonString();
}
