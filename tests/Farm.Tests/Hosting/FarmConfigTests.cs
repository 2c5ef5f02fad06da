using Akka.Configuration;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Xunit;

namespace KernelFarm.Tests.Hosting;

/// <summary>The node's cluster configuration as Akka.Hosting assembles it from the settings (<see cref="FarmNode"/>).</summary>
public sealed class FarmConfigTests
{
    private static readonly List<string> Seeds =
        ["akka.tcp://kernelfarm@10.0.0.1:4053", "akka.tcp://kernelfarm@10.0.0.2:4053", "akka.tcp://kernelfarm@10.0.0.3:4053"];

    private static TimeSpan SeedNodeTimeout(string host, List<string> seeds, int port = 4053) =>
        NodeConfig.For(new FarmSettings { ClusterHostname = host, SeedNodes = seeds }, port)
            .GetTimeSpan("akka.cluster.seed-node-timeout");

    [Fact]
    public void The_first_seed_node_never_forms_a_cluster_on_a_timeout_only_when_every_other_seed_node_says_it_is_no_member() =>
        Assert.Equal(TimeSpan.FromDays(20), SeedNodeTimeout("10.0.0.1", Seeds));

    [Theory]
    [InlineData("10.0.0.2", 4053)]
    [InlineData("10.0.0.3", 4053)]
    [InlineData("10.0.0.1", 4054)] // same host, another port: not the first seed node
    public void Every_other_node_retries_its_join_at_Akkas_default_interval(string host, int port) =>
        Assert.Equal(TimeSpan.FromSeconds(5), SeedNodeTimeout(host, Seeds, port));

    [Fact]
    public void A_single_node_without_seed_nodes_joins_itself_at_once_as_before()
    {
        var config = NodeConfig.For(new FarmSettings { ClusterHostname = "127.0.0.1" }, 4053);
        Assert.Equal(["akka.ssl.tcp://kernelfarm@127.0.0.1:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.seed-node-timeout"));
    }

    [Fact]
    public void Remoting_is_always_TLS_and_seed_nodes_written_in_the_plain_scheme_mean_the_same_nodes()
    {
        var config = NodeConfig.For(new FarmSettings { ClusterHostname = "10.0.0.2", SeedNodes = Seeds }, 4053);
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal(Seeds.Select(s => s.Replace("akka.tcp://", "akka.ssl.tcp://")), config.GetStringList("akka.cluster.seed-nodes"));
    }

    [Theory]
    [InlineData("10.0.0.1", 4053, new string[0], true)]
    [InlineData("10.0.0.1", 4053, new[] { "akka.ssl.tcp://kernelfarm@10.0.0.1:4053" }, true)]
    [InlineData("10.0.0.1", 4053, new[] { "akka.tcp://kernelfarm@10.0.0.1:4053" }, true)]
    [InlineData("10.0.0.1", 4053, new[] { "akka.ssl.tcp://kernelfarm@10.0.0.1:4053", "akka.ssl.tcp://kernelfarm@10.0.0.2:4053" }, false)]
    [InlineData("10.0.0.1", 4054, new[] { "akka.ssl.tcp://kernelfarm@10.0.0.1:4053" }, false)] // joins another node on its host
    [InlineData("10.0.0.1", 4053, new[] { "not an address" }, false)]
    public void A_node_is_lone_only_when_no_seed_node_is_another_node(string host, int port, string[] seeds, bool lone) =>
        Assert.Equal(lone, FarmConfig.IsLone(new FarmSettings { ClusterHostname = host, SeedNodes = [.. seeds] }, port));

    [Fact]
    public void Infinite_is_no_option_Akka_reads_it_as_a_negative_span_that_is_overdue_at_once() =>
        Assert.True(ConfigurationFactory.ParseString("t = infinite").GetTimeSpan("t") < TimeSpan.Zero);
}
