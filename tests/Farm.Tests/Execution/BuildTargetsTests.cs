using KernelFarm.Actors.Execution;
using Xunit;

namespace KernelFarm.Tests.Execution;

public sealed class BuildTargetsTests
{
    [Fact]
    public void Nothing_asked_builds_the_default_set_for_the_architecture()
    {
        Assert.Equal(["config", "kernel", "modules", "dtbs"], BuildTargets.Resolve(null, enableModules: true, buildDtbs: true, archHasDtbs: true));
        Assert.Equal(["config", "kernel", "modules"], BuildTargets.Resolve([], true, true, archHasDtbs: false));
        Assert.Equal(["config", "kernel"], BuildTargets.Resolve(null, enableModules: false, buildDtbs: false, archHasDtbs: true));
    }

    [Fact]
    public void Dependencies_are_added_and_the_order_is_the_build_order()
    {
        Assert.Equal(["config", "modules"], BuildTargets.Resolve(["modules"], true, true, true));
        Assert.Equal(["config", "kernel", "headers"], BuildTargets.Resolve(["headers", "kernel"], true, true, true));
        Assert.Equal(["config"], BuildTargets.Resolve(["config", "config"], true, true, true));
    }

    [Fact]
    public void Dtbs_asked_for_on_an_architecture_without_device_trees_are_dropped() =>
        Assert.Equal(["config", "kernel"], BuildTargets.Resolve(["kernel", "dtbs"], true, true, archHasDtbs: false));

    [Fact]
    public void Only_the_known_targets_are_accepted()
    {
        Assert.True(BuildTargets.IsKnown("headers"));
        Assert.False(BuildTargets.IsKnown("vmlinux.xz"));
        Assert.False(BuildTargets.IsKnown("Kernel"));
    }
}
