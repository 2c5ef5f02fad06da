using KernelFarm.Cli;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Tests.Support;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>kfarm's names for --arch, --target, --status and --toolchain come from the farm's GET /api/v1/catalog.</summary>
public sealed class CatalogTests
{
    private const string Served = """
        {"architectures":[{"name":"arm64","default_targets":["config","kernel","modules","dtbs"]},{"name":"loongarch64"}],
         "statuses":[{"name":"queued","terminal":false},{"name":"paused","terminal":false},{"name":"completed","terminal":true}],
         "targets":[{"name":"config","needs":[]},{"name":"kernel","needs":["config"]}],
         "toolchains":[{"name":"gcc-13"}],"webhook_events":[],"limits":{}}
        """;

    private static async Task<(FarmCatalog Catalog, StubHandler Handler)> ReadAsync()
    {
        var handler = new StubHandler((_, _) => StubHandler.Text(Served, "application/json"));
        using var client = new FarmClient(new CliConfig(new Uri("http://farm.test/"), "t", "/nonexistent"), handler);
        return (await FarmCatalog.GetAsync(client, CancellationToken.None), handler);
    }

    [Fact]
    public async Task The_names_are_the_farms_including_ones_kfarm_has_never_heard_of()
    {
        var (catalog, handler) = await ReadAsync();
        Assert.Equal("/api/v1/catalog", Assert.Single(handler.Requests).RequestUri!.AbsolutePath);
        Assert.Equal(["arm64", "loongarch64"], catalog.Architectures);
        Assert.Equal(["queued", "paused", "completed"], catalog.Statuses);
        Assert.Equal(["config", "kernel"], catalog.Targets);
        Assert.Equal(["gcc-13"], catalog.Toolchains);
    }

    [Fact]
    public async Task A_name_the_farm_does_not_know_is_a_usage_error_listing_the_ones_it_does()
    {
        var (catalog, _) = await ReadAsync();
        FarmCatalog.Check("--status", ["paused"], catalog.Statuses);
        var e = Assert.Throws<CliException>(() => FarmCatalog.Check("--target", ["kernel", "headers"], catalog.Targets));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("--target 'headers': the farm knows config, kernel", e.Message);
    }

    [Fact]
    public void Targets_go_into_the_request_replacing_the_files_list()
    {
        var file = System.Text.Json.Nodes.JsonNode.Parse("""{"build_config":{"targets":["config"]}}""")!.AsObject();
        var body = new JobSpec { Repo = "git://x", Arch = "arm64", Targets = ["kernel", "dtbs"] }.ToRequest(file);
        Assert.Equal("""["kernel","dtbs"]""", body["build_config"]!["targets"]!.ToJsonString());
    }
}
