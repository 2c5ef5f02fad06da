namespace KernelFarm.Actors.Execution;

/// <summary>
/// One target architecture, loaded from an embedded <c>Execution/Architectures/&lt;name&gt;.json</c>
/// (snake_case, the TuxMake way: architectures are data, not code).
/// </summary>
public sealed record ArchitectureProfile
{
    /// <summary>The farm's name for the architecture (what clients send as target_architecture).</summary>
    public required string Name { get; init; }

    /// <summary>The value passed to make as ARCH=.</summary>
    public required string KernelArch { get; init; }

    /// <summary>The directory under arch/ in the kernel tree.</summary>
    public required string SrcArch { get; init; }

    /// <summary>The make target that builds the boot image (bzImage, Image.gz, ...).</summary>
    public required string ImageTarget { get; init; }

    /// <summary>Image paths relative to the build directory, preferred first.</summary>
    public IReadOnlyList<string> ImageFiles { get; init; } = [];

    /// <summary>Whether the architecture builds device-tree blobs.</summary>
    public bool Dtbs { get; init; }

    /// <summary>The default CROSS_COMPILE prefix for gcc builds ("" for native/x86 builds).</summary>
    public string CrossCompileDefault { get; init; } = "";

    /// <summary>How to boot-test the built kernel in QEMU; null: build_config.boot_test is refused.</summary>
    public BootProfile? Boot { get; init; }
}
