using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Host.Gateway;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Servers;
using Xunit;

namespace KernelFarm.Tests.Gateway;

/// <summary>GET /api/v1/catalog's content: read from the farm's own data, nothing copied.</summary>
public sealed class CatalogTests
{
    private static readonly BuildServer X86 = PlacementStrategyTests.Server("x86") with
    {
        SupportedArchitectures = ["x86_64", "i386"],
        Toolchains = [new Toolchain("gcc-12", ["x86_64", "i386"])],
    };

    private static readonly BuildServer Cross = PlacementStrategyTests.Server("cross") with
    {
        SupportedArchitectures = ["arm64"],
        Toolchains = [],
        ContainerRuntime = "podman",
        ContainerImages = [new ContainerImage("localhost/builder:1", [new Toolchain("clang-14", ["arm64"]), new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")])],
    };

    private static readonly Host.Gateway.Contract.FarmCatalog Built =
        Catalog.Build(ArchitectureCatalog.Default, [X86, Cross], new FarmSettings { MaxQueueSize = 7 });

    [Fact]
    public void Architectures_are_the_profiles_with_their_default_targets()
    {
        Assert.Equal(ArchitectureCatalog.Default.Names, Built.Architectures.Select(a => a.Name));
        var x86 = Built.Architectures.Single(a => a.Name == "x86_64");
        Assert.Equal(["config", "kernel", "modules"], x86.DefaultTargets); // no device trees on x86
        Assert.Equal("bzImage", x86.ImageTarget);
        Assert.True(x86.BootTest);
        var arm64 = Built.Architectures.Single(a => a.Name == "arm64");
        Assert.Equal(["config", "kernel", "modules", "dtbs"], arm64.DefaultTargets);
    }

    [Fact]
    public void Architectures_name_the_images_toolchains_and_servers_that_serve_them()
    {
        var arm64 = Built.Architectures.Single(a => a.Name == "arm64");
        Assert.Equal(["localhost/builder:1"], arm64.ContainerImages);
        Assert.Equal(["clang-14", "gcc-12"], arm64.Toolchains);
        Assert.Equal(["cross"], arm64.Servers);
        var riscv = Built.Architectures.Single(a => a.Name == "riscv64");
        Assert.Empty(riscv.Servers);
        Assert.Empty(riscv.Toolchains);
    }

    [Fact]
    public void Toolchains_are_every_name_the_servers_and_their_images_offer()
    {
        Assert.Equal(["clang-14", "gcc-12"], Built.Toolchains.Select(t => t.Name));
        var gcc = Built.Toolchains.Single(t => t.Name == "gcc-12");
        Assert.Equal(["arm64", "i386", "x86_64"], gcc.Architectures);
        Assert.Equal(["cross", "x86"], gcc.Servers);
        Assert.Equal(["localhost/builder:1"], gcc.ContainerImages);
    }

    [Fact]
    public void Statuses_are_every_job_state_as_the_API_spells_it_with_the_terminal_ones_marked()
    {
        Assert.Equal(Enum.GetValues<JobStatus>().Length, Built.Statuses.Count);
        Assert.Equal("queued", Built.Statuses[0].Name);
        Assert.Equal(["completed", "failed", "cancelled"], Built.Statuses.Where(s => s.Terminal).Select(s => s.Name));
    }

    [Fact]
    public void Targets_and_limits_come_from_the_build_rules_and_the_settings()
    {
        Assert.Equal(BuildTargets.All.Select(t => t.Name), Built.Targets.Select(t => t.Name));
        Assert.Equal(["config"], Built.Targets.Single(t => t.Name == "modules").Needs);
        Assert.Equal(7, Built.Limits.MaxQueueSize);
        Assert.Equal(new FarmLimits().MaxLogBytes, Built.Limits.MaxLogBytes);
        Assert.Equal(KernelFarm.Actors.Validation.JobRequestValidator.MaxPriority, Built.Limits.MaxPriority);
    }
}
