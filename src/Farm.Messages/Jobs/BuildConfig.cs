namespace KernelFarm.Messages.Jobs;

/// <summary>How to build: the seed's enhanced BuildConfig, field for field.</summary>
public sealed record BuildConfig
{
    public static readonly IReadOnlyList<string> DefaultArtifactPatterns =
        ["arch/*/boot/bzImage", "arch/*/boot/Image", "vmlinux", "System.map", "*.ko", "*.dtb"];

    /// <summary>A *config make target (defconfig, tinyconfig, x86_64_defconfig) or an in-tree config path.</summary>
    public string? KernelConfig { get; init; }
    /// <summary>Lines such as CONFIG_X=y, or in-tree fragment paths; merged with merge_config.sh.</summary>
    public IReadOnlyList<string> KconfigFragments { get; init; } = [];
    public IReadOnlyList<string> ExtraMakeArgs { get; init; } = [];
    /// <summary>KEY=VALUE make variables (TuxMake's make_variables), e.g. W=1; the farm's own are refused.</summary>
    public IReadOnlyDictionary<string, string> MakeVariables { get; init; } = new Dictionary<string, string>();
    /// <summary>config, kernel, modules, dtbs, headers (dependencies added); null or empty: the default set.</summary>
    public IReadOnlyList<string>? Targets { get; init; }
    public bool EnableModules { get; init; } = true;
    public bool BuildDtbs { get; init; } = true;
    public IReadOnlyDictionary<string, string> CustomEnv { get; init; } = new Dictionary<string, string>();
    /// <summary>Names of custom_env entries whose values are secret: masked in the job's log and in job views.</summary>
    public IReadOnlyList<string> SecretEnv { get; init; } = [];
    /// <summary>Null means the chosen server's own workspace root.</summary>
    public string? WorkspaceRoot { get; init; }
    /// <summary>Absolute workspace directory on the server; null means &lt;workspace_root&gt;/job-&lt;id&gt;.</summary>
    public string? BuildDirectory { get; init; }
    /// <summary>Central directory for this job's artifacts; null means the farm's artifact storage path.</summary>
    public string? OutputDirectory { get; init; }
    public bool KeepWorkspace { get; init; }
    public int GitDepth { get; init; } = 1;
    public bool GitSubmodules { get; init; }
    public IReadOnlyList<string>? ArtifactPatterns { get; init; }
    /// <summary>Wall-clock limit of the build on the server; null means the farm's default.</summary>
    public int? TimeoutMinutes { get; init; }
    /// <summary>Run the build in this image (one the server declares in container_images); null: on the host, unless the toolchain is only in an image.</summary>
    public string? ContainerImage { get; init; }
    /// <summary>--cpus of the container; null: the server's container_default_cpus.</summary>
    public double? ContainerCpus { get; init; }
    /// <summary>--memory of the container in MiB; null: the server's container_default_memory_mb.</summary>
    public int? ContainerMemoryMb { get; init; }
    /// <summary>After collecting, boot the built kernel in QEMU with a tiny initramfs (architectures with a boot profile).</summary>
    public bool BootTest { get; init; }
    /// <summary>Compile through ccache where the server has it (README "Caches"); false opts the job out.</summary>
    public bool Ccache { get; init; } = true;

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> SecretValues =>
        (SecretEnv ?? []).Where(k => CustomEnv?.ContainsKey(k) == true).Select(k => CustomEnv[k]).ToList();

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> EffectiveArtifactPatterns => ArtifactPatterns ?? DefaultArtifactPatterns;
}
