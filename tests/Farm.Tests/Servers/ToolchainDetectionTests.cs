using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Servers;

public sealed class ToolchainDetectionTests
{
    private const string Output = """
        aarch64-linux-gnu-gcc 12
        aarch64-linux-gnu-gcc-12 12
        clang-14 14.0.6
        gcc 12
        gcc-12 12
        gcc-11
        x86_64-linux-gnu-gcc-12 12
        riscv64-linux-gnu-gcc 12.2.0
        somethingelse 1
        """;

    [Fact]
    public void Compilers_become_toolchains_named_as_jobs_name_them_with_the_architectures_they_build()
    {
        var found = ToolchainDetection.Parse(Output, "x86_64\n");
        Assert.Equal(
            [
                ("clang-14", "", "x86_64,i386,arm64,arm,riscv64"),
                ("gcc-12", "", "x86_64,i386"),
                ("gcc-12", "aarch64-linux-gnu-", "arm64"),
                ("gcc-12", "riscv64-linux-gnu-", "riscv64"),
                ("gcc-12", "x86_64-linux-gnu-", "x86_64,i386"),
            ],
            found.Select(t => (t.Name, t.CrossCompile, string.Join(',', t.TargetArchitectures))));
        Assert.Equal("14.0.6", found[0].Version);
    }

    [Fact]
    public void A_native_gcc_builds_for_the_host_architecture() =>
        Assert.Equal(["arm64"], Assert.Single(ToolchainDetection.Parse("gcc 12", "aarch64")).TargetArchitectures);

    [Fact]
    public void Declared_toolchains_that_are_not_installed_are_named()
    {
        var detected = ToolchainDetection.Parse(Output, "x86_64");
        var declared = new[]
        {
            new Toolchain("gcc-12", ["x86_64"]),
            new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-"),
            new Toolchain("gcc-13", ["x86_64"]),
            new Toolchain("gcc-12", ["arm"], "arm-linux-gnueabihf-"),
            new Toolchain("clang-14", ["arm64"]),
            new Toolchain("clang-17", ["x86_64"]),
        };
        Assert.Equal(["gcc-13", "gcc-12 (arm-linux-gnueabihf-)", "clang-17"], ToolchainDetection.Missing(declared, detected));
    }

    [Fact]
    public void The_probe_command_has_no_placeholders_for_input_and_runs_in_sh()
    {
        var r = KernelFarm.Tests.Execution.LocalShell.Run("sh", ["-c", ToolchainDetection.Command]);
        Assert.Equal(0, r.ExitCode);
        var found = ToolchainDetection.Parse(r.StdoutText, "x86_64");
        Assert.Contains(found, t => t.Name.StartsWith("gcc-", StringComparison.Ordinal) && t.CrossCompile == ""); // this machine has gcc
    }
}
