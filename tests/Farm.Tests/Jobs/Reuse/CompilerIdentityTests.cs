using KernelFarm.Actors.Jobs.Reuse;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Jobs.Reuse;

public sealed class CompilerIdentityTests
{
    [Theory]
    [InlineData("gcc (Debian 12.2.0-14) 12.2.0", "gcc (Debian 12.2.0-14) 12.2.0")]
    [InlineData("gcc-12 (Debian 12.2.0-14) 12.2.0", "gcc (Debian 12.2.0-14) 12.2.0")]
    [InlineData("aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0", "gcc (Debian 12.2.0-14) 12.2.0")]
    [InlineData("x86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0\n", "gcc (Debian 12.2.0-14) 12.2.0")]
    [InlineData("Debian clang version 14.0.6", "Debian clang version 14.0.6")]
    [InlineData("clang version 18.1.8 (https://github.com/llvm/llvm-project.git 3b5b5c1ec4a3095ab096dd780e84d7ab81f3d7ff)", "clang version 18.1.8 (https://github.com/llvm/llvm-project.git 3b5b5c1ec4a3095ab096dd780e84d7ab81f3d7ff)")]
    public void The_program_name_is_not_part_of_a_compilers_identity(string line, string identity) =>
        Assert.Equal(identity, CompilerIdentity.Of(line));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_line_no_identity(string? line) => Assert.Null(CompilerIdentity.Of(line));

    [Fact]
    public void An_overlong_line_is_no_identity() => Assert.Null(CompilerIdentity.Of(new string('x', CompilerIdentity.MaxLength + 1)));

    [Fact]
    public void The_probe_reports_each_compilers_version_line()
    {
        const string output = "gcc 12\tgcc (Debian 12.2.0-14) 12.2.0\n" +
                              "gcc-12 12\tgcc-12 (Debian 12.2.0-14) 12.2.0\n" +
                              "aarch64-linux-gnu-gcc-12 12\taarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0\n" +
                              "clang-14 14.0.6\tDebian clang version 14.0.6\n" +
                              "gcc-11 11\n"; // an older probe's line: no identity
        var found = ToolchainDetection.Parse(output, "x86_64");
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", found.Single(t => t is { Name: "gcc-12", CrossCompile: "" }).Identity);
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", found.Single(t => t.CrossCompile == "aarch64-linux-gnu-").Identity);
        Assert.Equal("Debian clang version 14.0.6", found.Single(t => t.Name == "clang-14").Identity);
        Assert.Null(found.Single(t => t.Name == "gcc-11").Identity);
    }

    [Fact]
    public void A_declared_toolchain_runs_the_compiler_the_probe_found_for_it_when_there_is_exactly_one()
    {
        IReadOnlyList<DetectedToolchain> detected =
        [
            new("gcc-11", ["x86_64", "i386"], "", "11", "gcc (Debian 11.3.0-12) 11.3.0"),
            new("gcc-12", ["x86_64", "i386"], "", "12", "gcc (Debian 12.2.0-14) 12.2.0"),
            new("gcc-12", ["arm64"], "aarch64-linux-gnu-", "12", "gcc (Debian 12.2.0-14) 12.2.0 cross"),
            new("clang-14", ["x86_64", "arm64"], "", "14.0.6", "Debian clang version 14.0.6"),
        ];
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", ToolchainDetection.IdentityFor(new Toolchain("gcc-12", ["x86_64"]), detected));
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0 cross", ToolchainDetection.IdentityFor(new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-"), detected));
        Assert.Equal("Debian clang version 14.0.6", ToolchainDetection.IdentityFor(new Toolchain("llvm-14", ["arm64"]), detected));
        Assert.Null(ToolchainDetection.IdentityFor(new Toolchain("gcc", ["x86_64"]), detected)); // gcc-11 or gcc-12: not known which
        Assert.Null(ToolchainDetection.IdentityFor(new Toolchain("gcc-13", ["x86_64"]), detected));
        Assert.Null(ToolchainDetection.IdentityFor(new Toolchain("gcc-12", ["x86_64"]), null)); // never probed
    }
}
