using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>What a server offers a job: a toolchain, on the host (<see cref="ContainerImage"/> null) or inside one of its images.</summary>
public sealed record ServerOffer(Toolchain Toolchain, string? ContainerImage);

/// <summary>
/// Placement of container builds. A job that names <c>build_config.container_image</c> goes only to a
/// server that declares that image (and a container runtime), with a toolchain from the image. A job
/// without an image runs on the host when the server has the toolchain there; a job that names a
/// toolchain the server has only inside an image runs in that image.
/// </summary>
public static class ContainerPlacement
{
    public static ServerOffer? Offer(BuildServer server, JobRequirements job)
    {
        if (job.ContainerImage is null && PlacementStrategy.ToolchainFor(server, job) is { } host) return new ServerOffer(host, null);
        // only a named image or a named toolchain takes a job into a container
        if (server.ContainerRuntime is null || (job.ContainerImage is null && job.Toolchain is null)) return null;
        if (!server.SupportedArchitectures.Contains(job.Architecture, StringComparer.Ordinal) || !PlacementStrategy.AllowsPaths(server, job)) return null;
        return server.ContainerImages
            .Where(i => job.ContainerImage is null || i.Name == job.ContainerImage)
            .SelectMany(i => i.Toolchains.Select(t => new ServerOffer(t, i.Name)))
            .Where(o => o.Toolchain.TargetArchitectures.Contains(job.Architecture, StringComparer.Ordinal))
            .Where(o => job.Toolchain is null || o.Toolchain.Name == job.Toolchain)
            .OrderBy(o => o.Toolchain.CrossCompile.Length) // native before cross; otherwise the order the server declares
            .FirstOrDefault();
    }

    /// <summary>Why no registered server could run a job that names an image (the paths are left to the general check), or null.</summary>
    public static (string Field, string Reason)? Infeasibility(IReadOnlyList<BuildServer> servers, JobRequirements job)
    {
        if (job.ContainerImage is not { } image) return null;
        var declaring = servers.Where(s => s.ContainerRuntime is not null && s.ContainerImages.Any(i => i.Name == image)).ToList();
        if (declaring.Count == 0)
            return ("build_config.container_image", $"no registered server declares container image {image}");
        var fits = declaring.Where(s => s.ContainerImages.Any(i => i.Name == image && i.Toolchains.Any(t =>
            t.TargetArchitectures.Contains(job.Architecture, StringComparer.Ordinal) && (job.Toolchain is null || t.Name == job.Toolchain)))).ToList();
        if (fits.Count == 0)
            return (job.Toolchain is null ? "target_architecture" : "toolchain",
                $"container image {image} has no toolchain{(job.Toolchain is null ? "" : " " + job.Toolchain)} for {job.Architecture} on any registered server");
        if (!fits.Any(s => s.SupportedArchitectures.Contains(job.Architecture, StringComparer.Ordinal)))
            return ("target_architecture", $"no registered server with container image {image} supports architecture {job.Architecture}");
        return null;
    }
}
