using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Decides whether the other end of a remoting connection is a cluster member: it must present a
/// certificate (Akka.Remote asks the connecting side for one: require-mutual-authentication) that
/// chains to the cluster CA. Used on both sides, so a node also refuses to talk to a listener that
/// is not a member. The system's CA store and the host name play no part: the CA is the cluster's
/// own, and every node holds the same certificate.
/// </summary>
public static class ClusterPeerValidator
{
    /// <summary>Null when <paramref name="peer"/> is a member's certificate; otherwise why not.</summary>
    public static string? Rejection(X509Certificate2? peer, X509Certificate2Collection clusterCa)
    {
        if (peer is null) return "it presented no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(clusterCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no revocation list
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        if (chain.Build(peer)) return null;
        var statuses = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return $"its certificate ({peer.Subject}, issued by {peer.Issuer}, thumbprint {peer.Thumbprint}) does not chain to the cluster CA: {string.Join(", ", statuses)}";
    }

    /// <summary>The callback Akka.Remote calls during every TLS handshake, in and out.</summary>
    public static CertificateValidationCallback Callback(X509Certificate2Collection clusterCa) =>
        (certificate, _, peer, _, log) =>
        {
            var why = Rejection(certificate, clusterCa);
            if (why is null) return true;
            log.Warning("Cluster TLS: refused the connection with {0}: {1}", peer, why);
            return false;
        };
}
