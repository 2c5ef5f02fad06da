using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// What a node shows its peers (its certificate with the private key) and what it accepts from
/// them (certificates issued by <see cref="ClusterCa"/>). Remoting always runs over TLS with
/// mutual authentication; only the credential differs:
/// <list type="bullet">
/// <item>a node with peers (a seed node other than itself) needs the cluster's bundle
/// (Farm:ClusterTls) and refuses to start without it;</item>
/// <item>a lone node without a bundle makes a throw-away certificate at start-up and trusts only
/// it, so no other process can join it or send to its actors.</item>
/// </list>
/// </summary>
public sealed class ClusterCredential
{
    public X509Certificate2 Certificate { get; }
    public X509Certificate2Collection ClusterCa { get; }
    /// <summary>True for a lone node's throw-away credential.</summary>
    public bool Ephemeral { get; }

    private ClusterCredential(X509Certificate2 certificate, X509Certificate2Collection clusterCa, bool ephemeral)
    {
        Certificate = certificate;
        ClusterCa = clusterCa;
        Ephemeral = ephemeral;
    }

    /// <summary>The node's credential; throws <see cref="ClusterTlsConfigurationException"/> naming the setting at fault.</summary>
    public static ClusterCredential For(FarmSettings settings, int port)
    {
        var tls = settings.ClusterTls;
        if (!string.IsNullOrWhiteSpace(tls.CertificatePath)) return FromBundle(tls);
        if (!string.IsNullOrWhiteSpace(tls.Password) || !string.IsNullOrWhiteSpace(tls.PasswordFile))
            throw new ClusterTlsConfigurationException(["a password is set but Farm__ClusterTls__CertificatePath is not"]);
        if (!FarmConfig.IsLone(settings, port))
            throw new ClusterTlsConfigurationException([
                "this node has peers (Farm__SeedNodes lists another node) but no cluster certificate: set " +
                "Farm__ClusterTls__CertificatePath to the node.p12 made by scripts/make-cluster-cert.sh (the same file on " +
                "every node) and Farm__ClusterTls__PasswordFile (or Farm__ClusterTls__Password)"]);
        return MakeEphemeral();
    }

    /// <summary>Reads the PKCS#12 bundle of scripts/make-cluster-cert.sh.</summary>
    public static ClusterCredential FromBundle(ClusterTlsSettings tls)
    {
        var password = ReadPassword(tls);
        if (!File.Exists(tls.CertificatePath))
            throw new ClusterTlsConfigurationException([$"Farm__ClusterTls__CertificatePath: no file at {tls.CertificatePath}"]);
        X509Certificate2Collection bundle;
        try
        {
            bundle = X509CertificateLoader.LoadPkcs12CollectionFromFile(tls.CertificatePath, password);
        }
        catch (CryptographicException e)
        {
            throw new ClusterTlsConfigurationException([
                $"Farm__ClusterTls__CertificatePath: {tls.CertificatePath} cannot be read as PKCS#12 with the password of " +
                $"Farm__ClusterTls__Password or __PasswordFile ({e.Message.Trim()})"]);
        }

        var errors = new List<string>();
        var withKey = bundle.Where(c => c.HasPrivateKey).ToList();
        var ca = new X509Certificate2Collection(bundle.Where(c => !c.HasPrivateKey && IsCa(c)).ToArray());
        if (withKey.Count != 1)
            errors.Add($"Farm__ClusterTls__CertificatePath: {tls.CertificatePath} holds {withKey.Count} certificates with a private key, not exactly one (the node's)");
        if (ca.Count == 0)
            errors.Add($"Farm__ClusterTls__CertificatePath: {tls.CertificatePath} holds no CA certificate; make it with scripts/make-cluster-cert.sh, which includes the cluster CA");
        if (errors.Count == 0 && ClusterPeerValidator.Rejection(withKey[0], ca) is { } why)
            errors.Add($"Farm__ClusterTls__CertificatePath: the node certificate in {tls.CertificatePath} is unusable: {why}");
        if (errors.Count > 0) throw new ClusterTlsConfigurationException(errors);
        return new ClusterCredential(withKey[0], ca, ephemeral: false);
    }

    /// <summary>A lone node's certificate, self-signed, made fresh at every start and trusted only by this process.</summary>
    public static ClusterCredential MakeEphemeral()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kernelfarm-lone-node", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        // Through PKCS#12 so the key is one SslStream can use on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
        var trusted = X509CertificateLoader.LoadCertificate(certificate.RawData);
        return new ClusterCredential(certificate, [trusted], ephemeral: true);
    }

    private static string? ReadPassword(ClusterTlsSettings tls)
    {
        var hasPassword = !string.IsNullOrEmpty(tls.Password);
        var hasFile = !string.IsNullOrWhiteSpace(tls.PasswordFile);
        if (hasPassword && hasFile)
            throw new ClusterTlsConfigurationException(["set Farm__ClusterTls__Password or Farm__ClusterTls__PasswordFile, not both"]);
        if (!hasFile) return hasPassword ? tls.Password : null;
        try
        {
            return File.ReadLines(tls.PasswordFile).FirstOrDefault()?.TrimEnd('\r') ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterTlsConfigurationException([$"Farm__ClusterTls__PasswordFile: cannot read {tls.PasswordFile} ({e.Message})"]);
        }
    }

    private static bool IsCa(X509Certificate2 c) =>
        c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
