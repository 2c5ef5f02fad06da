using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using KernelFarm.Messages;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// A farm node's Akka configuration through Akka.Hosting: remoting over TLS, the cluster with its
/// seed nodes, roles and split-brain resolver, the farm's serializer and persistence plugins.
/// hocon/farm.hocon holds only what Hosting has no option for and no setting changes
/// (docs/configuration.md); <see cref="ClusterTimings"/> the two values Hosting has no option for
/// that do depend on the settings.
/// </summary>
public static class FarmNode
{
    public const string HoconFile = "farm.hocon", SerializerId = "farm";

    public static AkkaConfigurationBuilder WithFarmNode(this AkkaConfigurationBuilder builder, FarmSettings settings, int port,
        ClusterCredential credential, string hoconDirectory) =>
        builder
            .WithRemoting(Remoting(settings, port, credential))
            .WithClustering(Clustering(settings, port))
            .AddHocon(ClusterTimings(settings, port), HoconAddMode.Prepend)
            .AddHocon(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hoconDirectory, HoconFile))), HoconAddMode.Prepend)
            .WithCustomSerializer(SerializerId, [typeof(IFarmMessage)], system => new FarmMessageSerializer(system))
            .WithFarmPersistence(settings);

    /// <summary>Always TLS with mutual authentication (docs/cluster-tls.md), so addresses are akka.ssl.tcp://.</summary>
    public static RemoteOptions Remoting(FarmSettings settings, int port, ClusterCredential credential) => new()
    {
        HostName = settings.ClusterHostname,
        PublicHostName = settings.ClusterHostname,
        Port = port,
        EnableSsl = true,
        Ssl = ClusterTlsSetup.Options(credential),
        // A job's request travels between nodes whole: a patch series' mbox (up to 512 KiB) with it.
        MaxFrameSize = MaxFrameBytes,
        SendBufferSize = MaxFrameBytes,
        ReceiveBufferSize = MaxFrameBytes,
    };

    public const int MaxFrameBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Split-brain resolver keep-majority: a build farm prefers the majority side staying
    /// available; the minority downs itself, so singletons and shards never run twice.
    /// </summary>
    public static ClusterOptions Clustering(FarmSettings settings, int port) => new()
    {
        SeedNodes = [.. FarmConfig.Seeds(settings, port)],
        Roles = [.. settings.EffectiveRoles],
        SplitBrainResolver = new KeepMajorityOption(),
    };

    /// <summary>
    /// The split-brain resolver's stable-after (how long membership must be still before it
    /// decides) and this node's seed-node-timeout (<see cref="FarmConfig.SeedNodeTimeout"/>):
    /// ClusterOptions has neither.
    /// </summary>
    public static Config ClusterTimings(FarmSettings settings, int port) =>
        ConfigurationFactory.FromObject(new Dictionary<string, object>
        {
            ["akka"] = new Dictionary<string, object>
            {
                ["cluster"] = new Dictionary<string, object>
                {
                    ["seed-node-timeout"] = Hocon(FarmConfig.SeedNodeTimeout(FarmConfig.Seeds(settings, port), settings.ClusterHostname, port)),
                    ["split-brain-resolver"] = new Dictionary<string, object> { ["stable-after"] = Hocon(settings.DowningStableAfter) },
                },
            },
        });

    private static string Hocon(TimeSpan span) => $"{(long)span.TotalMilliseconds}ms";
}
