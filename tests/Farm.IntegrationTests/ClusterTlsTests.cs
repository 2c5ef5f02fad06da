using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>A two-node cluster with the cluster credential, shared by the attacks of <see cref="ClusterTlsTests"/>.</summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    public FarmCluster Cluster { get; private set; } = null!;
    public async Task InitializeAsync() => Cluster = await FarmCluster.StartAsync(nodes: 2, servers: 1, slotsPerServer: 1);
    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Cluster membership needs the cluster credential (docs/cluster-tls.md). A stranger — the farm's
/// own binary or an Akka node with the farm's serializer — that lacks the credential (plaintext, or
/// a self-made certificate from the same script) cannot join the cluster nor reach its actors; the
/// same attack with the cluster's credential succeeds, so each test can fail.
/// </summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed class ClusterTlsTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private FarmCluster Cluster => fixture.Cluster;
    private FarmProcess Api => Cluster.Nodes[0];

    [Fact]
    public async Task The_farm_binary_with_the_clusters_seed_nodes_but_no_certificate_refuses_to_start()
    {
        await using var stranger = StrangerNode("no-cert", credential: null);
        stranger.Launch();
        await Eventually.TrueAsync(() => Task.FromResult(stranger.ExitCode is not null), Timeout, "the stranger to exit");

        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("Farm__ClusterTls__CertificatePath", stranger.Tail(200));
        Assert.Equal(2, (await MembersAsync()).Count);
    }

    [Fact]
    public async Task The_farm_binary_with_a_self_made_certificate_never_becomes_a_member()
    {
        var refusalsBefore = Refusals();
        await using var stranger = StrangerNode("self-made", await ClusterCertificates.Stranger);
        stranger.Launch();

        // The cluster refused its certificate (the log line of ClusterPeerValidator), and the
        // stranger, whose own check refused the cluster's certificate, gave up (Akka.Remote shuts a
        // node down when its outbound TLS handshake fails). Its whole log: the refusal comes first, then
        // the shutdown logs a few hundred lines of stack traces.
        await Eventually.TrueAsync(() => Task.FromResult(Refusals() > refusalsBefore), Timeout, "the cluster to refuse the stranger");
        await Eventually.TrueAsync(() => Task.FromResult(stranger.ExitCode is not null), Timeout, "the stranger to give up");
        Assert.Contains("does not chain to the cluster CA", stranger.Tail(int.MaxValue));

        var members = await MembersAsync();
        Assert.Equal(2, members.Count);
        Assert.All(members, m => Assert.Equal("up", m["status"]!.GetValue<string>()));
        Assert.DoesNotContain(members, m => m["address"]!.GetValue<string>().EndsWith($":{stranger.ClusterPort}"));
        using var ready = await Api.Http.GetAsync("healthz/ready");
        Assert.True(ready.IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("plaintext")]
    [InlineData("self-made")]
    public async Task A_stranger_actor_system_cannot_drain_a_server_through_the_pool(string credential)
    {
        var bundle = credential == "self-made" ? await ClusterCertificates.Stranger : null;
        await DrainFromOutsideAsync(bundle); // waits as long as the control's delivery takes

        Assert.False(await DrainingAsync());
        Assert.Equal(2, (await MembersAsync()).Count);
    }

    [Fact]
    public async Task Control_the_same_attack_with_the_clusters_certificate_drains_the_server()
    {
        try
        {
            await DrainFromOutsideAsync(await ClusterCertificates.Cluster);
            await Eventually.TrueAsync(DrainingAsync, Timeout, "server1 to be draining");
        }
        finally
        {
            using var r = await Api.Http.PostAsync("api/v1/infrastructure/build-servers/server1/undrain", null);
            r.EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Plaintext_garbage_and_a_TLS_client_without_certificate_get_nothing_and_the_node_stays_up()
    {
        var port = Api.ClusterPort;
        // Plaintext: an HTTP request and an Akka-style length-prefixed frame.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            await stream.WriteAsync(new byte[] { 16, 0, 0, 0, 0x0a, 0x0e, 0x61, 0x6b, 0x6b, 0x61, 0x2e, 0x74, 0x63, 0x70, 0, 0, 0, 0, 0, 0 });
            var answer = await ReadUntilClosedAsync(stream);
            // At most a TLS alert record (content type 21): never an Akka frame.
            Assert.True(answer.Length == 0 || answer[0] == 21, $"got {answer.Length} bytes: {Convert.ToHexString(answer)}");
        }

        // TLS without a client certificate (the server's certificate accepted blindly).
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            var refused = false;
            try
            {
                await tls.AuthenticateAsClientAsync("kernelfarm-node");
                // TLS 1.3: the server checks the client's (missing) certificate after the client's side finished.
                await tls.WriteAsync(new byte[] { 4, 0, 0, 0, 1, 2, 3, 4 });
                refused = (await ReadUntilClosedAsync(tls)).Length == 0;
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException) { refused = true; }
            Assert.True(refused, "the node answered a TLS client without a certificate");
        }

        using var ready = await Api.Http.GetAsync("healthz/ready");
        Assert.True(ready.IsSuccessStatusCode, "the node did not survive the garbage");
        Assert.Equal(2, (await MembersAsync()).Count);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /// <summary>The farm's binary configured as a further node of the cluster (own SQLite state, no database access).</summary>
    private FarmProcess StrangerNode(string name, ClusterCertificates.Bundle? credential)
    {
        var env = new Dictionary<string, string> { ["Farm__ClusterPort"] = FreePort.Get("127.0.0.1").ToString() };
        for (var s = 0; s < Cluster.SeedNodes.Count; s++) env[$"Farm__SeedNodes__{s}"] = Cluster.SeedNodes[s];
        foreach (var (k, v) in credential?.Environment ?? new Dictionary<string, string>()) env[k] = v;
        return FarmProcess.Create(Path.Combine(Cluster.Root.Path, $"stranger-{name}-{Guid.NewGuid().ToString("N")[..6]}"), env);
    }

    /// <summary>
    /// An Akka node of its own (remote provider, the farm's serializer) that tells every farm
    /// node's pool proxy to drain server1: over plaintext, or over TLS with <paramref name="bundle"/>.
    /// </summary>
    private async Task DrainFromOutsideAsync(ClusterCertificates.Bundle? bundle)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.actor.serializers.farm = "KernelFarm.Messages.Serialization.FarmMessageSerializer, Farm.Messages"
            akka.actor.serialization-bindings { "KernelFarm.Messages.IFarmMessage, Farm.Messages" = farm }
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, enable-ssl = {{(bundle is null ? "off" : "on")}} }
            akka.coordinated-shutdown.exit-clr = off
            """);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var systemSetup = ActorSystemSetup.Create(setup);
        if (bundle is not null)
        {
            var password = (await File.ReadAllTextAsync(bundle.PasswordFile)).Trim();
            var certificate = X509CertificateLoader.LoadPkcs12CollectionFromFile(bundle.CertificatePath, password).Single(c => c.HasPrivateKey);
            // The stranger accepts whatever the farm presents: it is the farm's check that must hold.
            systemSetup = systemSetup.And(new DotNettySslSetup(certificate, suppressValidation: true, requireMutualAuthentication: true));
        }
        var system = ActorSystem.Create("kernelfarm", systemSetup);
        try
        {
            var scheme = bundle is null ? "akka.tcp" : "akka.ssl.tcp";
            foreach (var node in Cluster.Nodes)
                system.ActorSelection($"{scheme}://kernelfarm@127.0.0.1:{node.ClusterPort}/user/server-pool-proxy")
                    .Tell(new ServerPoolCommands.Drain("server1", true));
            // Delivery is asynchronous: give the association its handshake before the system stops.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private async Task<bool> DrainingAsync()
    {
        var server = (await Api.Http.GetFromJsonAsync<JsonObject>("api/v1/infrastructure/build-servers/server1"))!;
        return server["draining"]!.GetValue<bool>();
    }

    private async Task<List<JsonObject>> MembersAsync()
    {
        var cluster = (await Api.Http.GetFromJsonAsync<JsonObject>("api/v1/cluster"))!;
        return cluster["members"]!.AsArray().Select(m => m!.AsObject()).ToList();
    }

    private int Refusals() => Cluster.Nodes.Sum(n => CountIn(n.LogPath, "Cluster TLS: refused the connection"));

    private static int CountIn(string path, string text)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var all = reader.ReadToEnd();
            var count = 0;
            for (var i = all.IndexOf(text, StringComparison.Ordinal); i >= 0; i = all.IndexOf(text, i + 1, StringComparison.Ordinal)) count++;
            return count;
        }
        catch (IOException) { return 0; }
    }

    private static async Task<byte[]> ReadUntilClosedAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (IOException) { /* reset by the node: closed */ }
        catch (OperationCanceledException) { /* still open, but silent */ }
        return received.ToArray();
    }
}
