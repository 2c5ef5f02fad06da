using Akka.Remote.Hosting;

namespace KernelFarm.Actors.Hosting;

public static class ClusterTlsSetup
{
    /// <summary>
    /// Remoting over TLS with this credential (Akka.Remote.Hosting gives it to Akka as a
    /// DotNettySslSetup, never through HOCON, so no password is written anywhere): the connecting
    /// side must present a certificate too (mutual authentication), and both sides accept only a
    /// peer whose certificate chains to the cluster CA (<see cref="ClusterPeerValidator"/>).
    /// </summary>
    public static SslOptions Options(ClusterCredential credential) => new()
    {
        X509Certificate = credential.Certificate,
        SuppressValidation = false,
        RequireMutualAuthentication = true,
        ValidateCertificateHostname = false,
        CustomValidator = ClusterPeerValidator.Callback(credential.ClusterCa),
    };
}
