using KernelFarm.Messages.Servers;

namespace KernelFarm.Messages.Jobs;

/// <summary>What a job needs from a server; its repository (URL) steers it to a server whose git cache holds it.</summary>
public sealed record PlacementRequest(string JobId, string Architecture, string? Toolchain, string? WorkspaceRoot, string? BuildDirectory,
    IReadOnlyList<string> AvoidServers, string? ContainerImage = null, string? SourceRepository = null, string? SeriesTree = null);

/// <summary>A reserved slot: the job runs on this server with this toolchain, in this container image if not null.</summary>
/// <param name="Compiler">The toolchain's exact compiler on the server as the pool's probe last found it (its
/// first <c>--version</c> line, <see cref="Servers.DetectedToolchain.Identity"/>); null in a container or when unknown.
/// Part of the job's result-reuse key.</param>
public sealed record Placement(string JobId, BuildServer Server, Toolchain Toolchain, string? ContainerImage = null, string? Compiler = null);
