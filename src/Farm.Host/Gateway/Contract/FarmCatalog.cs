namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// GET /api/v1/catalog: the names and bounds a client needs to build a valid request, read from the
/// farm itself (architecture profiles, job states, build targets, registered servers, settings) so
/// that the dashboard and kfarm keep no copies of their own.
/// </summary>
public sealed record FarmCatalog(
    IReadOnlyList<ArchitectureEntry> Architectures,
    IReadOnlyList<StatusEntry> Statuses,
    IReadOnlyList<TargetEntry> Targets,
    IReadOnlyList<ToolchainEntry> Toolchains,
    IReadOnlyList<string> WebhookEvents,
    CatalogLimits Limits);

/// <summary>
/// One target architecture (Execution/Architectures/*.json), the targets built when a job asks for
/// none, and what the registered servers offer for it: <paramref name="ContainerImages"/> and
/// <paramref name="Toolchains"/> that some server (or one of its images) has for it, <paramref name="Servers"/>
/// that list it.
/// </summary>
public sealed record ArchitectureEntry(
    string Name,
    string KernelArch,
    string ImageTarget,
    IReadOnlyList<string> ImageFiles,
    bool Dtbs,
    string CrossCompileDefault,
    bool BootTest,
    IReadOnlyList<string> DefaultTargets,
    IReadOnlyList<string> ContainerImages,
    IReadOnlyList<string> Toolchains,
    IReadOnlyList<string> Servers);

/// <summary>A job state; terminal states are final.</summary>
public sealed record StatusEntry(string Name, bool Terminal);

/// <summary>A make target a job may ask for (build_config.targets) and the targets it brings along.</summary>
public sealed record TargetEntry(string Name, IReadOnlyList<string> Needs);

/// <summary>A toolchain name known from the registered servers, with the architectures it targets and where it is.</summary>
public sealed record ToolchainEntry(string Name, IReadOnlyList<string> Architectures, IReadOnlyList<string> Servers, IReadOnlyList<string> ContainerImages);

/// <summary>The farm's bounds: settings in force on the answering node and the request validator's constants (docs/limits.md).</summary>
public sealed record CatalogLimits(
    int MaxQueueSize,
    int MaxAttempts,
    long MaxRequestBodyBytes,
    long MaxListPageBytes,
    int MaxListLimit,
    int DefaultListLimit,
    long MaxLogBytes,
    long MaxArtifactBytes,
    int MaxArtifactFiles,
    int MinPriority,
    int MaxPriority,
    int MaxSourceRepositoryLength,
    int MaxBranchLength,
    int MaxKernelConfigLength,
    int MaxKconfigFragments,
    int MaxExtraMakeArgs,
    int MaxTargets,
    int MaxCustomEnvEntries,
    int MaxArtifactPatterns,
    int MaxGitDepth,
    int MaxWebhooks,
    int MaxIdempotencyKeyLength);
