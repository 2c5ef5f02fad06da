using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KernelFarm.Actors.Hosting;
using Xunit;

namespace KernelFarm.Tests.ClusterTls;

/// <summary>Which peer certificates a node accepts during the TLS handshake: only those the cluster CA issued and still valid.</summary>
public sealed class ClusterPeerValidatorTests
{
    private static ClusterCredential Load(string dir) => ClusterCredential.FromBundle(new ClusterTlsSettings
    {
        CertificatePath = Path.Combine(dir, "node.p12"),
        PasswordFile = Path.Combine(dir, "node.p12.password"),
    });

    [Fact]
    public void A_certificate_the_cluster_ca_issued_is_accepted()
    {
        var cluster = Load(ScriptCredentials.Cluster);
        Assert.Null(ClusterPeerValidator.Rejection(cluster.Certificate, cluster.ClusterCa));
    }

    [Fact]
    public void No_certificate_is_refused() =>
        Assert.Equal("it presented no certificate", ClusterPeerValidator.Rejection(null, Load(ScriptCredentials.Cluster).ClusterCa));

    [Fact]
    public void A_self_made_certificate_from_a_ca_of_the_same_name_is_refused()
    {
        var cluster = Load(ScriptCredentials.Cluster);
        var stranger = Load(ScriptCredentials.Stranger);
        Assert.Equal(cluster.ClusterCa[0].Subject, stranger.ClusterCa[0].Subject);

        var why = ClusterPeerValidator.Rejection(stranger.Certificate, cluster.ClusterCa);
        Assert.NotNull(why);
        Assert.Contains("does not chain to the cluster CA", why);
    }

    [Fact]
    public void A_self_signed_copy_of_the_ca_certificate_is_refused()
    {
        var cluster = Load(ScriptCredentials.Cluster);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(cluster.ClusterCa[0].SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        using var fake = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.NotNull(ClusterPeerValidator.Rejection(fake, cluster.ClusterCa));
    }

    [Fact]
    public void A_certificate_from_the_cluster_ca_outside_its_validity_period_is_refused()
    {
        var dir = ScriptCredentials.Cluster;
        var cluster = Load(dir);
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(dir, "ca.key")));
        using var caWithKey = cluster.ClusterCa[0].CopyWithPrivateKey(caKey);
        using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kernelfarm-node", nodeKey, HashAlgorithmName.SHA256);
        // Not yet valid (the CA was made moments ago, so no certificate of it can have expired yet): the same time check.
        var later = DateTimeOffset.UtcNow.AddDays(10);
        using var notYetValid = request.Create(caWithKey, later, later.AddDays(5), RandomNumberGenerator.GetBytes(16));

        var why = ClusterPeerValidator.Rejection(notYetValid, cluster.ClusterCa);
        Assert.NotNull(why);
        Assert.Contains("NotTimeValid", why);
        // The control: the same CA's certificate, valid today, passes.
        using var valid = request.Create(caWithKey, caWithKey.NotBefore, DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(16));
        Assert.Null(ClusterPeerValidator.Rejection(valid, cluster.ClusterCa));
    }
}
