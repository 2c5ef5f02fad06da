using Xunit;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// The real kernel builds (Debian's linux-source-6.1), in parallel with the main collection
/// (AssemblyInfo.cs): RealKernelBuildTests here, RealKernelToolchainTests in
/// <see cref="RealKernelToolchainCollection"/>, so the two classes run side by side as well. Their
/// build servers and git daemons run at <see cref="Niceness"/>, so the compilers take only the CPU
/// that the other tests leave idle, and those tests run as if alone. Side by side because much of a
/// kernel class's time is not compiling (clone, checkout of 1.5 GB, configure, boot, transfer):
/// one after the other, the two were the suite's critical path (2,075 s of a 37.6 min run).
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealKernelCollection
{
    public const string Name = "Real kernel builds";

    /// <summary>nice(1) level of the kernel builds' sshd and git daemon (and so of make, the compilers and QEMU).</summary>
    public const int Niceness = 10;
}

/// <summary>The toolchain kernels (arm64 cross gcc, x86_64 clang): beside <see cref="RealKernelCollection"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RealKernelToolchainCollection
{
    public const string Name = "Real kernel builds: toolchains";
}
