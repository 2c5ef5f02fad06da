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
    /// <summary>Where the server keeps its git mirrors and ccache (README "Caches"); null: &lt;workspace_root&gt;/.kfarm-cache.</summary>
    public string? CacheDirectory { get; init; }
    /// <summary>The git cache's size limit in MiB: past it, the least recently used mirrors not in use are removed.</summary>
    public int GitCacheLimitMb { get; init; } = 20480;
    /// <summary>ccache's own size limit (CCACHE_MAXSIZE) in MiB for builds on this server.</summary>
    public int CcacheLimitMb { get; init; } = 5120;
    /// <summary>"docker" or "podman" when the server can run builds in containers (README "Container builds"); null: it cannot.</summary>
    public string? ContainerRuntime { get; init; }
    public IReadOnlyList<ContainerImage> ContainerImages { get; init; } = [];
    /// <summary>--cpus of a container build that sets no container_cpus; null: no limit.</summary>
    public double? ContainerDefaultCpus { get; init; }
    /// <summary>--memory (MiB) of a container build that sets no container_memory_mb; null: no limit.</summary>
    public int? ContainerDefaultMemoryMb { get; init; }
}
