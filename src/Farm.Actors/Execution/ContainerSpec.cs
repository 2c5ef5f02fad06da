using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>One job's container: which runtime and image, its name, the mounted workspace and its limits.</summary>
public sealed record ContainerSpec
{
    /// <summary><see cref="ContainerCommand.Docker"/> or <see cref="ContainerCommand.Podman"/>.</summary>
    public required string Runtime { get; init; }
    public required string Image { get; init; }
    public required string JobId { get; init; }
    /// <summary>Mounted at the same path inside the container, so the script's absolute paths hold in both.</summary>
    public required string Workspace { get; init; }
    public double? Cpus { get; init; }
    public int? MemoryMb { get; init; }

    public string Name => ContainerCommand.NameFor(JobId);

    /// <summary>The container of a placement in an image (limits: the job's, else the server's defaults); null for a host build.</summary>
    public static ContainerSpec? For(string jobId, BuildConfig config, Placement placement, string workspace) =>
        placement.ContainerImage is not { } image || placement.Server.ContainerRuntime is not { } runtime ? null : new ContainerSpec
        {
            Runtime = runtime,
            Image = image,
            JobId = jobId,
            Workspace = workspace,
            Cpus = config.ContainerCpus ?? placement.Server.ContainerDefaultCpus,
            MemoryMb = config.ContainerMemoryMb ?? placement.Server.ContainerDefaultMemoryMb,
        };
}
