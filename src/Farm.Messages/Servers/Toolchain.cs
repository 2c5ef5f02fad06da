namespace KernelFarm.Messages.Servers;

/// <summary>A compiler installed on a build server, named as TuxMake names them (gcc-12, clang-14).</summary>
public sealed record Toolchain(
    string Name,
    IReadOnlyList<string> TargetArchitectures,
    string CrossCompile = "");

/// <summary>A compiler the pool's probe found installed on a server (name as jobs use it, e.g. gcc-12).</summary>
public sealed record DetectedToolchain(string Name, IReadOnlyList<string> TargetArchitectures, string CrossCompile, string Version);
