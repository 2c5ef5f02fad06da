using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Xunit;

namespace KernelFarm.Tests.ClusterTls;

/// <summary>Which credential a node starts with, and which configurations it refuses (docs/cluster-tls.md).</summary>
public sealed class ClusterCredentialTests
{
    private static readonly List<string> TwoNodes = ["akka.ssl.tcp://kernelfarm@10.0.0.1:4053", "akka.ssl.tcp://kernelfarm@10.0.0.2:4053"];

    private static FarmSettings Node(List<string>? seeds = null, ClusterTlsSettings? tls = null) =>
        new() { ClusterHostname = "10.0.0.1", SeedNodes = seeds ?? [], ClusterTls = tls ?? new ClusterTlsSettings() };

    private static ClusterTlsSettings Bundle(string dir) => new()
    {
        CertificatePath = Path.Combine(dir, "node.p12"),
        PasswordFile = Path.Combine(dir, "node.p12.password"),
    };

    private static string Refusal(FarmSettings settings) =>
        Assert.Throws<ClusterTlsConfigurationException>(() => ClusterCredential.For(settings, 4053)).Message;

    [Fact]
    public void A_node_with_peers_and_no_certificate_refuses_to_start_naming_the_setting() =>
        Assert.Contains("Farm__ClusterTls__CertificatePath", Refusal(Node(TwoNodes)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the scheme of earlier releases names the same node
    public void A_lone_node_without_a_certificate_gets_a_throw_away_one_that_trusts_only_itself(bool ownAddressAsSeed)
    {
        var settings = Node(ownAddressAsSeed ? ["akka.tcp://kernelfarm@10.0.0.1:4053"] : null);
        var credential = ClusterCredential.For(settings, 4053);
        var other = ClusterCredential.MakeEphemeral();

        Assert.True(credential.Ephemeral);
        Assert.True(credential.Certificate.HasPrivateKey);
        Assert.Null(ClusterPeerValidator.Rejection(credential.Certificate, credential.ClusterCa));
        Assert.NotNull(ClusterPeerValidator.Rejection(other.Certificate, credential.ClusterCa));
    }

    [Fact]
    public void The_scripts_bundle_gives_the_node_certificate_and_the_cluster_ca()
    {
        var credential = ClusterCredential.For(Node(TwoNodes, Bundle(ScriptCredentials.Cluster)), 4053);

        Assert.False(credential.Ephemeral);
        Assert.True(credential.Certificate.HasPrivateKey);
        Assert.Equal("CN=kernelfarm-node", credential.Certificate.Subject);
        Assert.Equal("CN=KernelFarm cluster CA", Assert.Single(credential.ClusterCa).Subject);
    }

    [Fact]
    public void The_password_may_be_given_inline()
    {
        var dir = ScriptCredentials.Cluster;
        var tls = new ClusterTlsSettings
        {
            CertificatePath = Path.Combine(dir, "node.p12"),
            Password = File.ReadAllText(Path.Combine(dir, "node.p12.password")).Trim(),
        };
        Assert.False(ClusterCredential.For(Node(TwoNodes, tls), 4053).Ephemeral);
    }

    [Fact]
    public void A_wrong_password_is_refused_naming_the_settings()
    {
        var tls = new ClusterTlsSettings { CertificatePath = Path.Combine(ScriptCredentials.Cluster, "node.p12"), Password = "wrong" };
        var message = Refusal(Node(TwoNodes, tls));
        Assert.Contains("Farm__ClusterTls__CertificatePath", message);
        Assert.Contains("Farm__ClusterTls__Password", message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_the_setting() =>
        Assert.Contains("Farm__ClusterTls__CertificatePath: no file at /nonexistent/node.p12",
            Refusal(Node(TwoNodes, new ClusterTlsSettings { CertificatePath = "/nonexistent/node.p12", Password = "x" })));

    [Fact]
    public void Password_and_password_file_together_are_refused()
    {
        var tls = Bundle(ScriptCredentials.Cluster);
        tls.Password = "x";
        Assert.Contains("not both", Refusal(Node(TwoNodes, tls)));
    }

    [Fact]
    public void A_password_without_a_certificate_is_refused_rather_than_ignored() =>
        Assert.Contains("Farm__ClusterTls__CertificatePath", Refusal(Node(null, new ClusterTlsSettings { Password = "x" })));

    [Fact]
    public void A_bundle_without_the_cluster_ca_is_refused()
    {
        var dir = ScriptCredentials.Cluster;
        var full = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12CollectionFromFile(
            Path.Combine(dir, "node.p12"), File.ReadAllText(Path.Combine(dir, "node.p12.password")).Trim(),
            System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.Exportable);
        var nodeOnly = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(full.Single(c => c.HasPrivateKey));
        var path = Path.Combine(Path.GetTempPath(), $"kfarm-node-only-{Guid.NewGuid():N}.p12");
        File.WriteAllBytes(path, nodeOnly.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "pw")!);
        try
        {
            Assert.Contains("holds no CA certificate", Refusal(Node(TwoNodes, new ClusterTlsSettings { CertificatePath = path, Password = "pw" })));
        }
        finally { File.Delete(path); }
    }
}
