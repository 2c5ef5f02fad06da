namespace KernelFarm.Actors.Webhooks;

/// <summary>
/// What a job's webhooks may reach and say (<c>Farm:Webhooks</c>; env <c>Farm__Webhooks__X__0</c>).
/// By default a webhook can call only public addresses and can set only harmless headers: see docs/webhooks.md.
/// </summary>
public sealed class WebhookSettings
{
    /// <summary>
    /// CIDR networks ("127.0.0.0/8", "10.1.0.0/16", "fd00::/8") a webhook may call although they are loopback,
    /// private, link-local, … or the farm's own. Empty: public addresses only.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Header names a job may set although they carry credentials or routing ("Authorization", "Cookie").
    /// Headers that HTTP framing or the farm itself sets (Host, Content-Length, X-KernelFarm-*) stay refused.
    /// </summary>
    public List<string> AllowedHeaders { get; set; } = [];

    /// <summary>
    /// More addresses (IP literals or host names) of the farm itself that are not on this machine's
    /// interfaces, e.g. a load balancer's. The host adds its own listen URLs' hosts; the cluster hostname
    /// and seed nodes are added too.
    /// </summary>
    public List<string> OwnAddresses { get; set; } = [];
}
