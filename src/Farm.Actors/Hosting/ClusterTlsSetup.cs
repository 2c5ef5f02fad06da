using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;

namespace KernelFarm.Actors.Hosting;

public static class ClusterTlsSetup
{
    /// <summary>
    /// Remoting over TLS (hocon/farm.hocon: enable-ssl) with this credential: the connecting side
    /// must present a certificate too (mutual authentication), and both sides accept only a peer
    /// whose certificate chains to the cluster CA (<see cref="ClusterPeerValidator"/>).
    /// </summary>
    public static AkkaConfigurationBuilder AddClusterTls(this AkkaConfigurationBuilder builder, ClusterCredential credential) =>
        builder.AddSetup(new DotNettySslSetup(credential.Certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, ClusterPeerValidator.Callback(credential.ClusterCa)));
}
