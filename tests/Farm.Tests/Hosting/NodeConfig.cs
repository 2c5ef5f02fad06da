using Akka.Configuration;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KernelFarm.Tests.Hosting;

/// <summary>The configuration a node's actor system starts with, as Akka.Hosting assembles it from <see cref="FarmNode.WithFarmNode"/>.</summary>
internal static class NodeConfig
{
    public static readonly string HoconDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../hocon"));
    public static readonly Lazy<ClusterCredential> Credential = new(ClusterCredential.MakeEphemeral);

    public static AkkaConfigurationBuilder Builder(FarmSettings settings, int port) =>
        new AkkaConfigurationBuilder(new ServiceCollection(), FarmConfig.SystemName)
            .WithFarmNode(settings, port, Credential.Value, HoconDirectory);

    public static Config For(FarmSettings settings, int port) => Builder(settings, port).Configuration.Value;
}
