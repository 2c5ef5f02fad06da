namespace KernelFarm.Messages.Servers;

/// <summary>A compiler installed on a build server, named as TuxMake names them (gcc-12, clang-14).</summary>
public sealed record Toolchain(
    string Name,
    IReadOnlyList<string> TargetArchitectures,
    string CrossCompile = "");
