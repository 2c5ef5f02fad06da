using Akka.Cluster.SBR;
using Akka.Remote.Transport.DotNetty;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Xunit;

namespace KernelFarm.Tests.Hosting;

/// <summary>Remoting and clustering as <see cref="FarmNode"/> registers them through Akka.Hosting's options.</summary>
public sealed class FarmNodeTests
{
    private static readonly FarmSettings Settings = new()
    {
        ClusterHostname = "10.0.0.2",
        Roles = ["worker"],
        SeedNodes = ["akka.ssl.tcp://kernelfarm@10.0.0.1:4053", "akka.ssl.tcp://kernelfarm@10.0.0.2:4053"],
        DowningStableAfter = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public void The_cluster_downs_the_minority_once_membership_was_still_for_the_configured_time()
    {
        var config = NodeConfig.For(Settings, 4053);
        Assert.Equal(typeof(SplitBrainResolverProvider), Type.GetType(config.GetString("akka.cluster.downing-provider-class")));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
    }

    [Fact]
    public void The_node_has_the_configured_roles_and_listens_and_is_addressed_at_its_cluster_hostname()
    {
        var config = NodeConfig.For(Settings, 4053);
        Assert.Equal(["worker"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal("10.0.0.2", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal("10.0.0.2", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void The_certificate_is_given_to_Akka_as_a_setup_with_mutual_authentication_and_the_cluster_CA_check()
    {
        var builder = NodeConfig.Builder(Settings, 4053);
        var tls = Assert.Single(builder.Setups.OfType<DotNettySslSetup>());
        Assert.Same(NodeConfig.Credential.Value.Certificate, tls.Certificate);
        Assert.True(tls.RequireMutualAuthentication);
        Assert.False(tls.SuppressValidation);
        Assert.False(tls.ValidateCertificateHostname); // every node holds the same certificate
        Assert.NotNull(tls.CustomValidator);
        Assert.DoesNotContain("password", builder.Configuration.Value.GetConfig("akka.remote.dot-netty.tcp").ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void What_Hosting_has_no_option_for_comes_from_hocon_farm_hocon()
    {
        var config = NodeConfig.For(Settings, 4053);
        Assert.Equal(TimeSpan.FromSeconds(1), config.GetTimeSpan("akka.cluster.singleton.hand-over-retry-interval"));
        Assert.False(config.GetBoolean("akka.coordinated-shutdown.exit-clr"));
    }
}
