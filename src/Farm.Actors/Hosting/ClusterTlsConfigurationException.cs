namespace KernelFarm.Actors.Hosting;

/// <summary>The cluster credential is missing or unusable: the node refuses to start rather than run a cluster anyone can join.</summary>
public sealed class ClusterTlsConfigurationException(IReadOnlyList<string> errors)
    : InvalidOperationException("Farm:ClusterTls configuration is invalid, refusing to start (docs/cluster-tls.md):\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
