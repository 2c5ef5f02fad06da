using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>kfarm reads the farm's catalog (GET /api/v1/catalog) for the names its options take.</summary>
public sealed partial class CliTests
{
    [Fact]
    public async Task Catalog_prints_the_architectures_with_what_the_servers_offer()
    {
        var r = await Kfarm("catalog");
        AssertExit(0, r);
        var x86 = Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("x86_64 "));
        Assert.Contains("config,kernel,modules", x86);
        Assert.Contains("gcc-12", x86);
        Assert.Contains("states: queued, assigned", r.Stdout);
    }

    [Fact]
    public async Task A_status_or_target_the_farm_does_not_know_is_refused_naming_the_ones_it_does()
    {
        var status = await Kfarm("jobs", "list", "--status", "sleeping");
        AssertExit(2, status);
        Assert.Contains("--status 'sleeping': the farm knows queued, assigned", status.Stderr);

        var target = await Kfarm("jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--target", "bzImage");
        AssertExit(2, target);
        Assert.Contains("--target 'bzImage': the farm knows config, kernel, modules, dtbs, headers", target.Stderr);
    }
}
