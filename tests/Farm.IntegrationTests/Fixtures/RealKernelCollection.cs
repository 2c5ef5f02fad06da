using Xunit;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// The real kernel builds (Debian's linux-source-6.1): one class at a time, in parallel with the main
/// collection (AssemblyInfo.cs). Their build servers and git daemon run at <see cref="Niceness"/>, so
/// the compilers take only the CPU that the other tests leave idle, and those tests run as if alone.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealKernelCollection
{
    public const string Name = "Real kernel builds";

    /// <summary>nice(1) level of the kernel builds' sshd and git daemon (and so of make, the compilers and QEMU).</summary>
    public const int Niceness = 10;
}
