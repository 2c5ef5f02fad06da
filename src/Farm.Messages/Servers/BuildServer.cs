namespace KernelFarm.Messages.Servers;

/// <summary>A machine that runs builds over SSH (the seed's model, completed).</summary>
public sealed record BuildServer
{
    public required string Id { get; init; }
    public required string Hostname { get; init; }
    /// <summary>Where the farm connects; <see cref="Hostname"/> is the name for people.</summary>
    public required string IpAddress { get; init; }
    public required string SshUsername { get; init; }
    public int SshPort { get; init; } = 22;
    public string? SshKeyPath { get; init; }
    /// <summary>"SHA256:…" as ssh-keygen -lf prints it; a server presenting another key is refused.</summary>
    public required string SshHostKeyFingerprint { get; init; }
    public IReadOnlyList<string> SupportedArchitectures { get; init; } = [];
    public IReadOnlyList<Toolchain> Toolchains { get; init; } = [];
    public int TotalCpuCores { get; init; } = 1;
    public int TotalMemoryMb { get; init; }
    public int TotalStorageGb { get; init; }
    public int MaxConcurrentJobs { get; init; } = 1;
    public string WorkspaceRoot { get; init; } = "/tmp/builds";
    /// <summary>Roots a job's own workspace_root may point into; the default root is always allowed.</summary>
    public IReadOnlyList<string> AllowedWorkspaceRoots { get; init; } = [];
    /// <summary>"docker" or "podman" when the server can run builds in containers (README "Container builds"); null: it cannot.</summary>
    public string? ContainerRuntime { get; init; }
    public IReadOnlyList<ContainerImage> ContainerImages { get; init; } = [];
    /// <summary>--cpus of a container build that sets no container_cpus; null: no limit.</summary>
    public double? ContainerDefaultCpus { get; init; }
    /// <summary>--memory (MiB) of a container build that sets no container_memory_mb; null: no limit.</summary>
    public int? ContainerDefaultMemoryMb { get; init; }
}
