using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Host.Gateway;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Servers;
using Xunit;

namespace KernelFarm.Tests.Gateway;

/// <summary>The server view's probe findings: detected and missing toolchains, container runtime and images.</summary>
public sealed class ServerViewJsonTests
{
    private const string Builder = "localhost/kernelfarm-builder:bookworm", Gone = "localhost/kernelfarm-missing:1";
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BuildServer Podman() => PlacementStrategyTests.Server("a") with
    {
        ContainerRuntime = "podman",
        ContainerImages = [new ContainerImage(Builder, []), new ContainerImage(Gone, [])],
    };

    private static ServerView View(BuildServer server, DetectedContainers? containers, IReadOnlyList<DetectedToolchain>? toolchains = null) =>
        new(server, 0, [], new ServerHealth(HealthStatus.Healthy, At), At, DetectedToolchains: toolchains, DetectedContainers: containers);

    /// <summary>The view as the API sends it.</summary>
    private static JsonObject AsJson(ServerView view) => JsonSerializer.SerializeToNode(Views.Server(view), FarmJson.Options)!.AsObject();

    [Fact]
    public void A_probed_runtime_shows_its_version_and_the_declared_images_it_lacks()
    {
        var o = AsJson(View(Podman(), new DetectedContainers("podman version 4.3.1", true, [Builder], [Gone]), []));
        Assert.True(o["container_runtime_found"]!.GetValue<bool>());
        Assert.Equal("podman version 4.3.1", o["container_runtime_version"]!.GetValue<string>());
        Assert.Equal($"[\"{Gone}\"]", o["container_images_missing"]!.ToJsonString());
        Assert.Equal("[\"gcc-12\"]", o["missing_toolchains"]!.ToJsonString()); // the declared host toolchain, not installed
    }

    [Fact]
    public void A_runtime_the_probe_did_not_find_says_so_and_lacks_every_image()
    {
        var o = AsJson(View(Podman(), new DetectedContainers(null, false, [], [])));
        Assert.False(o["container_runtime_found"]!.GetValue<bool>());
        Assert.Null(o["container_runtime_version"]);
        Assert.Equal($"[\"{Builder}\",\"{Gone}\"]", o["container_images_missing"]!.ToJsonString());
    }

    [Fact]
    public void Nothing_is_said_without_a_runtime_or_before_the_first_probe()
    {
        foreach (var o in new[] { AsJson(View(Podman(), null)), AsJson(View(PlacementStrategyTests.Server("b"), null)) })
        {
            Assert.True(o.ContainsKey("container_images_missing"));
            Assert.Null(o["container_runtime_found"]);
            Assert.Null(o["container_runtime_version"]);
            Assert.Null(o["container_images_missing"]);
        }
    }
}
