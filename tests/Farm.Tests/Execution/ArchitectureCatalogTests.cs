using KernelFarm.Actors.Execution;
using Xunit;

namespace KernelFarm.Tests.Execution;

public sealed class ArchitectureCatalogTests
{
    [Theory]
    [InlineData("x86_64", "x86_64", "x86", "bzImage", "arch/x86/boot/bzImage", false, "")]
    [InlineData("i386", "i386", "x86", "bzImage", "arch/x86/boot/bzImage", false, "")]
    [InlineData("arm64", "arm64", "arm64", "Image.gz", "arch/arm64/boot/Image.gz", true, "aarch64-linux-gnu-")]
    [InlineData("arm", "arm", "arm", "zImage", "arch/arm/boot/zImage", true, "arm-linux-gnueabihf-")]
    [InlineData("riscv64", "riscv", "riscv", "Image", "arch/riscv/boot/Image", true, "riscv64-linux-gnu-")]
    public void Every_known_architecture_resolves(
        string name, string kernelArch, string srcArch, string imageTarget, string firstImage, bool dtbs, string cross)
    {
        Assert.True(ArchitectureCatalog.Default.TryGet(name, out var profile));
        Assert.Equal(name, profile.Name);
        Assert.Equal(kernelArch, profile.KernelArch);
        Assert.Equal(srcArch, profile.SrcArch);
        Assert.Equal(imageTarget, profile.ImageTarget);
        Assert.Equal(firstImage, profile.ImageFiles[0]);
        Assert.All(profile.ImageFiles, f => Assert.StartsWith($"arch/{srcArch}/boot/", f));
        Assert.Equal(dtbs, profile.Dtbs);
        Assert.Equal(cross, profile.CrossCompileDefault);
    }

    [Fact]
    public void Names_lists_exactly_the_embedded_profiles()
    {
        Assert.Equal(["arm", "arm64", "i386", "riscv64", "x86_64"], ArchitectureCatalog.Default.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Arm64_builds_dtbs_and_both_images()
    {
        Assert.True(ArchitectureCatalog.Default.TryGet("arm64", out var arm64));
        Assert.True(arm64.Dtbs);
        Assert.Equal(["arch/arm64/boot/Image.gz", "arch/arm64/boot/Image"], arm64.ImageFiles);
    }

    [Theory]
    [InlineData("")]
    [InlineData("X86_64")]
    [InlineData("riscv")]
    [InlineData("amd64")]
    [InlineData("../x86_64")]
    public void Unknown_names_do_not_resolve(string name)
    {
        Assert.False(ArchitectureCatalog.Default.TryGet(name, out _));
    }

    [Fact]
    public void Default_is_loaded_once()
    {
        Assert.Same(ArchitectureCatalog.Default, ArchitectureCatalog.Default);
    }
}
