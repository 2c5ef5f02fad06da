namespace KernelFarm.Messages.Servers;

/// <summary>A compiler installed on a build server, named as TuxMake names them (gcc-12, clang-14).</summary>
public sealed record Toolchain(
    string Name,
    IReadOnlyList<string> TargetArchitectures,
    string CrossCompile = "");

/// <summary>A compiler the pool's probe found installed on a server (name as jobs use it, e.g. gcc-12).</summary>
/// <param name="Identity">The compiler's first <c>--version</c> line without the program's name ("gcc (Debian 12.2.0-14) 12.2.0",
/// "Debian clang version 14.0.6"): the exact build of the compiler; null when the probe did not report it.</param>
public sealed record DetectedToolchain(string Name, IReadOnlyList<string> TargetArchitectures, string CrossCompile, string Version, string? Identity = null);
