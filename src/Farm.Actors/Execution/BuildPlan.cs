using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// A build described once (the TuxMake way): everything the script, the commands and the
/// reproducer are derived from. Built from an already validated request and its placement.
/// </summary>
public sealed record BuildPlan
{
    public required string JobId { get; init; }
    /// <summary>Absolute workspace on the server: holds source/, build/, artifacts/, build.log, pid, exit.</summary>
    public required string Workspace { get; init; }
    public required string SourceRepository { get; init; }
    public required string Branch { get; init; }
    public required string CommitHash { get; init; }
    public int GitDepth { get; init; } = 1;
    /// <summary>The server's bare mirror of the repository to check out from (<see cref="GitCache"/>); null: a plain clone.</summary>
    public string? GitMirror { get; init; }
    /// <summary>CCACHE_DIR when the job compiles through ccache (if the server has it); null: no ccache.</summary>
    public string? CcacheDirectory { get; init; }
    public int CcacheLimitMb { get; init; } = 5120;
    public bool GitSubmodules { get; init; }
    public required ArchitectureProfile Architecture { get; init; }
    public string CrossCompile { get; init; } = "";
    /// <summary>The toolchain's name (gcc, gcc-12, clang-14, …): what <see cref="ToolchainMake"/> turns into make variables.</summary>
    public string Toolchain { get; init; } = "gcc";
    public bool Llvm => ToolchainMake.IsLlvm(Toolchain);
    public string KernelConfig { get; init; } = "defconfig";
    public IReadOnlyList<string> KconfigFragments { get; init; } = [];
    public IReadOnlyList<string> ExtraMakeArgs { get; init; } = [];
    public int Jobs { get; init; } = 1;
    public bool EnableModules { get; init; } = true;
    /// <summary>modules_install into artifacts/modules/ only when the patterns ask for modules (*.ko).</summary>
    public bool CollectModules => EnableModules && ArtifactPatterns.Any(p => p.EndsWith(".ko", StringComparison.Ordinal));
    public bool BuildDtbs { get; init; } = true;
    /// <summary>The targets to build in order (BuildTargets); null derives them from EnableModules and BuildDtbs.</summary>
    public IReadOnlyList<string>? Targets { get; init; }
    public IReadOnlyList<string> EffectiveTargets => Targets ?? BuildTargets.Resolve(null, EnableModules, BuildDtbs, Architecture.Dtbs);
    public IReadOnlyDictionary<string, string> MakeVariables { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> CustomEnv { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> ArtifactPatterns { get; init; } = BuildConfig.DefaultArtifactPatterns;
    /// <summary>Boot the built kernel in QEMU after collecting (build_config.boot_test); null: no boot test.</summary>
    public BootProfile? Boot { get; init; }
    /// <summary>The container the build runs in (a server's container image), or null for a build on the server itself.</summary>
    public ContainerSpec? Container { get; init; }
    /// <summary>A patch series built on top of the checkout (<see cref="SeriesScript"/>); null for a single build.</summary>
    public SeriesPlan? Series { get; init; }
    /// <summary>A bisection's listing step (<see cref="RangeListingScript"/>): build nothing.</summary>
    public RangeListing? ListRange { get; init; }

    public static BuildPlan From(string jobId, BuildJobRequest request, Placement placement, string workspace, ArchitectureCatalog catalog)
    {
        if (!catalog.TryGet(request.TargetArchitecture, out var arch))
            throw new ArgumentException($"unknown architecture {request.TargetArchitecture}", nameof(request));
        var config = request.BuildConfig;
        var targets = BuildTargets.Resolve(config.Targets, config.EnableModules, config.BuildDtbs, arch.Dtbs);
        var container = ContainerSpec.For(jobId, config, placement, workspace);
        return new BuildPlan
        {
            JobId = jobId,
            Workspace = workspace,
            SourceRepository = request.SourceRepository,
            Branch = request.Branch,
            CommitHash = request.CommitHash,
            GitDepth = config.GitDepth,
            GitSubmodules = config.GitSubmodules,
            Architecture = arch,
            CrossCompile = placement.Toolchain.CrossCompile,
            Toolchain = placement.Toolchain.Name,
            KernelConfig = string.IsNullOrEmpty(config.KernelConfig) ? "defconfig" : config.KernelConfig,
            KconfigFragments = config.KconfigFragments,
            ExtraMakeArgs = config.ExtraMakeArgs,
            Jobs = Math.Max(1, placement.Server.TotalCpuCores),
            EnableModules = targets.Contains(BuildTargets.Modules),
            BuildDtbs = targets.Contains(BuildTargets.Dtbs),
            Targets = targets,
            MakeVariables = config.MakeVariables,
            CustomEnv = config.CustomEnv,
            ArtifactPatterns = config.EffectiveArtifactPatterns,
            Boot = !config.BootTest ? null
                : arch.Boot ?? throw new ArgumentException($"no boot test for architecture {arch.Name}", nameof(request)),
            Container = container,
            // The agent fetches on the server for host and container builds alike; the build sees the mirror read-only.
            GitMirror = GitCache.MirrorPath(GitCache.RootFor(placement.Server), request.SourceRepository),
            CcacheDirectory = container is null && config.Ccache && placement.Server.CcacheLimitMb > 0
                ? $"{GitCache.RootFor(placement.Server)}/ccache/{CacheOwner(request.SubmittedBy)}" : null,
            CcacheLimitMb = placement.Server.CcacheLimitMb,
            Series = request.Series is not null ? SeriesPlan.From(request, GitCache.RootFor(placement.Server)) : null,
            ListRange = request.ListRange,
        };
    }

    /// <summary>
    /// The folder name of a submitter's ccache: readable and unique per token name. Builds write cache
    /// entries, so submitters never share one (a poisoned object would reach another's build).
    /// </summary>
    public static string CacheOwner(string? submittedBy)
    {
        var owner = string.IsNullOrEmpty(submittedBy) ? "anonymous" : submittedBy;
        var slug = new string(owner.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()).Trim('.', '-');
        if (slug.Length > 32) slug = slug[..32];
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(owner)))[..12];
        return $"{(slug.Length > 0 ? slug + "-" : "")}{hash}";
    }

    /// <summary>
    /// The job's workspace: build_directory if given, else &lt;root&gt;/job-&lt;id&gt;. A series builds in
    /// &lt;root&gt;/series-&lt;tree key&gt;: kbuild writes the absolute source and build paths into every
    /// object's command line, so a kept tree rebuilds incrementally only at the path it was built at.
    /// (A second series of the same kind on the server meanwhile finds the workspace taken and is retried.)
    /// </summary>
    public static string WorkspaceFor(string jobId, BuildJobRequest request, string serverWorkspaceRoot)
    {
        var config = request.BuildConfig;
        var root = (config.WorkspaceRoot ?? serverWorkspaceRoot).TrimEnd('/');
        return config.BuildDirectory
            ?? (SeriesTree.Key(request) is { } tree ? $"{root}/series-{tree}" : $"{root}/job-{jobId}");
    }
}
