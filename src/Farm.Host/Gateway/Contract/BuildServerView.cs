using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// A build server as the API shows it: its registration's fields (<see cref="BuildServer"/>) and its
/// live state side by side at the top level (<see cref="Views.Server"/> fills it).
/// <c>BuildServerViewContractTests</c> checks that it carries every registration field.
/// </summary>
public sealed record BuildServerView
{
    public required string Id { get; init; }
    public required string Hostname { get; init; }
    public required string IpAddress { get; init; }
    public required string SshUsername { get; init; }
    public int SshPort { get; init; }
    public string? SshKeyPath { get; init; }
    public required string SshHostKeyFingerprint { get; init; }
    public required IReadOnlyList<string> SupportedArchitectures { get; init; }
    public required IReadOnlyList<Toolchain> Toolchains { get; init; }
    public int TotalCpuCores { get; init; }
    public int TotalMemoryMb { get; init; }
    public int TotalStorageGb { get; init; }
    public int MaxConcurrentJobs { get; init; }
    public required string WorkspaceRoot { get; init; }
    public required IReadOnlyList<string> AllowedWorkspaceRoots { get; init; }
    public string? CacheDirectory { get; init; }
    public int GitCacheLimitMb { get; init; }
    public int CcacheLimitMb { get; init; }
    public string? ContainerRuntime { get; init; }
    public required IReadOnlyList<ContainerImage> ContainerImages { get; init; }
    public double? ContainerDefaultCpus { get; init; }
    public int? ContainerDefaultMemoryMb { get; init; }

    public int SlotsInUse { get; init; }
    public required IReadOnlyList<string> RunningJobs { get; init; }
    public HealthStatus Health { get; init; }
    public DateTimeOffset LastProbeAt { get; init; }
    public string? LastProbeError { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public bool Draining { get; init; }
    /// <summary>What the probe found installed; null until the first probe.</summary>
    public IReadOnlyList<DetectedToolchain>? DetectedToolchains { get; init; }
    /// <summary>Declared toolchains the probe did not find; null until the first probe.</summary>
    public IReadOnlyList<string>? MissingToolchains { get; init; }
    /// <summary>Null when the server declares no container runtime, or until the first successful probe.</summary>
    public bool? ContainerRuntimeFound { get; init; }
    public string? ContainerRuntimeVersion { get; init; }
    public IReadOnlyList<string>? ContainerImagesMissing { get; init; }
    public required ServerCacheView Caches { get; init; }
}

/// <summary>A server's caches (docs/caches.md): where, how big against their limits, which repositories; sizes null until the first successful probe.</summary>
/// <param name="Trees">The built trees patch series left for the next of their kind (docs/series.md), named by key.</param>
public sealed record ServerCacheView(string Directory, long? GitBytes, long GitLimitBytes, IReadOnlyList<CachedRepository>? Repositories,
    long? CcacheBytes, long CcacheLimitBytes, IReadOnlyList<CachedRepository>? Trees = null);

/// <summary>Every registered build server.</summary>
public sealed record BuildServerList(IReadOnlyList<BuildServerView> Servers);
