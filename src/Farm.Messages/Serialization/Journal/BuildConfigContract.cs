using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>A job's build_config as the journal keeps it; defaults are the domain's defaults.</summary>
public sealed record BuildConfigContract
{
    public string? KernelConfig { get; init; }
    public IReadOnlyList<string>? KconfigFragments { get; init; }
    public IReadOnlyList<string>? ExtraMakeArgs { get; init; }
    public IReadOnlyDictionary<string, string>? MakeVariables { get; init; }
    public IReadOnlyList<string>? Targets { get; init; }
    public bool EnableModules { get; init; } = true;
    public bool BuildDtbs { get; init; } = true;
    public IReadOnlyDictionary<string, string>? CustomEnv { get; init; }
    public IReadOnlyList<string>? SecretEnv { get; init; }
    public string? WorkspaceRoot { get; init; }
    public string? BuildDirectory { get; init; }
    public string? OutputDirectory { get; init; }
    public bool KeepWorkspace { get; init; }
    public int GitDepth { get; init; } = 1;
    public bool GitSubmodules { get; init; }
    public IReadOnlyList<string>? ArtifactPatterns { get; init; }
    public int? TimeoutMinutes { get; init; }
    public string? ContainerImage { get; init; }
    public double? ContainerCpus { get; init; }
    public int? ContainerMemoryMb { get; init; }
    public bool BootTest { get; init; }
    public bool Ccache { get; init; } = true;

    public static BuildConfigContract From(BuildConfig c) => new()
    {
        KernelConfig = c.KernelConfig,
        KconfigFragments = c.KconfigFragments,
        ExtraMakeArgs = c.ExtraMakeArgs,
        MakeVariables = c.MakeVariables,
        Targets = c.Targets,
        EnableModules = c.EnableModules,
        BuildDtbs = c.BuildDtbs,
        CustomEnv = c.CustomEnv,
        SecretEnv = c.SecretEnv,
        WorkspaceRoot = c.WorkspaceRoot,
        BuildDirectory = c.BuildDirectory,
        OutputDirectory = c.OutputDirectory,
        KeepWorkspace = c.KeepWorkspace,
        GitDepth = c.GitDepth,
        GitSubmodules = c.GitSubmodules,
        ArtifactPatterns = c.ArtifactPatterns,
        TimeoutMinutes = c.TimeoutMinutes,
        ContainerImage = c.ContainerImage,
        ContainerCpus = c.ContainerCpus,
        ContainerMemoryMb = c.ContainerMemoryMb,
        BootTest = c.BootTest,
        Ccache = c.Ccache,
    };

    public BuildConfig ToDomain() => new()
    {
        KernelConfig = KernelConfig,
        KconfigFragments = KconfigFragments ?? [],
        ExtraMakeArgs = ExtraMakeArgs ?? [],
        MakeVariables = MakeVariables ?? new Dictionary<string, string>(),
        Targets = Targets,
        EnableModules = EnableModules,
        BuildDtbs = BuildDtbs,
        CustomEnv = CustomEnv ?? new Dictionary<string, string>(),
        SecretEnv = SecretEnv ?? [],
        WorkspaceRoot = WorkspaceRoot,
        BuildDirectory = BuildDirectory,
        OutputDirectory = OutputDirectory,
        KeepWorkspace = KeepWorkspace,
        GitDepth = GitDepth,
        GitSubmodules = GitSubmodules,
        ArtifactPatterns = ArtifactPatterns,
        TimeoutMinutes = TimeoutMinutes,
        ContainerImage = ContainerImage,
        ContainerCpus = ContainerCpus,
        ContainerMemoryMb = ContainerMemoryMb,
        BootTest = BootTest,
        Ccache = Ccache,
    };
}
