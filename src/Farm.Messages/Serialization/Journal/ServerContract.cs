using KernelFarm.Messages.Servers;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>A build server's registration as the journal keeps it (server_registered, and inside placements).</summary>
public sealed record ServerContract
{
    public string Id { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string IpAddress { get; init; } = "";
    public string SshUsername { get; init; } = "";
    public int SshPort { get; init; } = 22;
    public string? SshKeyPath { get; init; }
    public string SshHostKeyFingerprint { get; init; } = "";
    public IReadOnlyList<string>? SupportedArchitectures { get; init; }
    public IReadOnlyList<ToolchainContract>? Toolchains { get; init; }
    public int TotalCpuCores { get; init; } = 1;
    public int TotalMemoryMb { get; init; }
    public int TotalStorageGb { get; init; }
    public int MaxConcurrentJobs { get; init; } = 1;
    public string WorkspaceRoot { get; init; } = "/tmp/builds";
    public IReadOnlyList<string>? AllowedWorkspaceRoots { get; init; }
    public string? CacheDirectory { get; init; }
    public int GitCacheLimitMb { get; init; } = 20480;
    public int CcacheLimitMb { get; init; } = 5120;
    public string? ContainerRuntime { get; init; }
    public IReadOnlyList<ContainerImageContract>? ContainerImages { get; init; }
    public double? ContainerDefaultCpus { get; init; }
    public int? ContainerDefaultMemoryMb { get; init; }

    public static ServerContract From(BuildServer s) => new()
    {
        Id = s.Id,
        Hostname = s.Hostname,
        IpAddress = s.IpAddress,
        SshUsername = s.SshUsername,
        SshPort = s.SshPort,
        SshKeyPath = s.SshKeyPath,
        SshHostKeyFingerprint = s.SshHostKeyFingerprint,
        SupportedArchitectures = s.SupportedArchitectures,
        Toolchains = s.Toolchains.Select(ToolchainContract.From).ToList(),
        TotalCpuCores = s.TotalCpuCores,
        TotalMemoryMb = s.TotalMemoryMb,
        TotalStorageGb = s.TotalStorageGb,
        MaxConcurrentJobs = s.MaxConcurrentJobs,
        WorkspaceRoot = s.WorkspaceRoot,
        AllowedWorkspaceRoots = s.AllowedWorkspaceRoots,
        CacheDirectory = s.CacheDirectory,
        GitCacheLimitMb = s.GitCacheLimitMb,
        CcacheLimitMb = s.CcacheLimitMb,
        ContainerRuntime = s.ContainerRuntime,
        ContainerImages = s.ContainerImages.Select(ContainerImageContract.From).ToList(),
        ContainerDefaultCpus = s.ContainerDefaultCpus,
        ContainerDefaultMemoryMb = s.ContainerDefaultMemoryMb,
    };

    public BuildServer ToDomain() => new()
    {
        Id = Id,
        Hostname = Hostname,
        IpAddress = IpAddress,
        SshUsername = SshUsername,
        SshPort = SshPort,
        SshKeyPath = SshKeyPath,
        SshHostKeyFingerprint = SshHostKeyFingerprint,
        SupportedArchitectures = SupportedArchitectures ?? [],
        Toolchains = (Toolchains ?? []).Select(t => t.ToDomain()).ToList(),
        TotalCpuCores = TotalCpuCores,
        TotalMemoryMb = TotalMemoryMb,
        TotalStorageGb = TotalStorageGb,
        MaxConcurrentJobs = MaxConcurrentJobs,
        WorkspaceRoot = WorkspaceRoot,
        AllowedWorkspaceRoots = AllowedWorkspaceRoots ?? [],
        CacheDirectory = CacheDirectory,
        GitCacheLimitMb = GitCacheLimitMb,
        CcacheLimitMb = CcacheLimitMb,
        ContainerRuntime = ContainerRuntime,
        ContainerImages = (ContainerImages ?? []).Select(i => i.ToDomain()).ToList(),
        ContainerDefaultCpus = ContainerDefaultCpus,
        ContainerDefaultMemoryMb = ContainerDefaultMemoryMb,
    };
}

public sealed record ToolchainContract
{
    public string Name { get; init; } = "";
    public IReadOnlyList<string>? TargetArchitectures { get; init; }
    public string CrossCompile { get; init; } = "";

    public static ToolchainContract From(Toolchain t) => new() { Name = t.Name, TargetArchitectures = t.TargetArchitectures, CrossCompile = t.CrossCompile };

    public Toolchain ToDomain() => new(Name, TargetArchitectures ?? [], CrossCompile ?? "");
}

public sealed record ContainerImageContract
{
    public string Name { get; init; } = "";
    public IReadOnlyList<ToolchainContract>? Toolchains { get; init; }

    public static ContainerImageContract From(ContainerImage i) => new() { Name = i.Name, Toolchains = i.Toolchains.Select(ToolchainContract.From).ToList() };

    public ContainerImage ToDomain() => new(Name, (Toolchains ?? []).Select(t => t.ToDomain()).ToList());
}

/// <summary>A reserved slot (job_assigned, job_dispatched, slots_reserved).</summary>
public sealed record PlacementContract
{
    public string JobId { get; init; } = "";
    public ServerContract Server { get; init; } = new();
    public ToolchainContract Toolchain { get; init; } = new();
    public string? ContainerImage { get; init; }
    /// <summary>Added with result reuse: null in older journals (no reuse key for those jobs).</summary>
    public string? Compiler { get; init; }

    public static PlacementContract From(Jobs.Placement p) => new()
    {
        JobId = p.JobId, Server = ServerContract.From(p.Server), Toolchain = ToolchainContract.From(p.Toolchain), ContainerImage = p.ContainerImage,
        Compiler = p.Compiler,
    };

    public Jobs.Placement ToDomain() => new(JobId, (Server ?? new()).ToDomain(), (Toolchain ?? new()).ToDomain(), ContainerImage, Compiler);
}
