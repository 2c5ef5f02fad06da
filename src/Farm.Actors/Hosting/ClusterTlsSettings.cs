namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Farm:ClusterTls — the credential that admits a node into the cluster (docs/cluster-tls.md).
/// Every node of a cluster holds the same PKCS#12 bundle made by scripts/make-cluster-cert.sh.
/// </summary>
public sealed class ClusterTlsSettings
{
    /// <summary>The bundle: this node's certificate with its private key, and the cluster CA's certificate.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The bundle's password; or <see cref="PasswordFile"/> (its first line), never both.</summary>
    public string Password { get; set; } = "";

    public string PasswordFile { get; set; } = "";
}
