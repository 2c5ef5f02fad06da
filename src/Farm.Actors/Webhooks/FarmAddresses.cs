using System.Net;
using System.Net.NetworkInformation;

namespace KernelFarm.Actors.Webhooks;

/// <summary>
/// Builds the <see cref="WebhookAddressPolicy"/> of this node from its settings and the machine: the
/// allowed networks, and the farm's own addresses (every interface address, read again on each call so
/// a changed lease counts; the configured own addresses, the cluster hostname and seed nodes, resolved once).
/// </summary>
public sealed class FarmAddresses
{
    private readonly IReadOnlyList<IPNetwork> _allowed;
    private readonly Lazy<IReadOnlyList<IPAddress>> _configured;

    public FarmAddresses(FarmSettings settings)
    {
        _allowed = AllowedNetworks(settings.Webhooks);
        var names = settings.Webhooks.OwnAddresses.Append(settings.ClusterHostname).Concat(settings.SeedNodes.Select(SeedHost)).ToList();
        _configured = new(() => names.Where(n => !string.IsNullOrWhiteSpace(n)).SelectMany(Resolve).ToList());
    }

    public WebhookAddressPolicy Policy() => new(_allowed, _configured.Value.Concat(InterfaceAddresses()));

    /// <summary>The settings' CIDR list; a malformed entry stops the node with the setting named.</summary>
    public static IReadOnlyList<IPNetwork> AllowedNetworks(WebhookSettings settings) =>
        settings.AllowedNetworks.Select((text, i) => WebhookAddressPolicy.TryParseNetwork(text, out var n) ? n
            : throw new InvalidOperationException($"Farm:Webhooks:AllowedNetworks:{i} must be a CIDR network such as 127.0.0.0/8 or fd00::/8")).ToList();

    /// <summary>Checks the webhook settings at start-up, so a typo stops the node instead of silently allowing or refusing.</summary>
    public static void Validate(WebhookSettings settings)
    {
        _ = AllowedNetworks(settings);
        for (var i = 0; i < settings.AllowedHeaders.Count; i++)
            if (WebhookHeaderRules.IsReserved(settings.AllowedHeaders[i] ?? ""))
                throw new InvalidOperationException($"Farm:Webhooks:AllowedHeaders:{i}: {settings.AllowedHeaders[i]} is set by HTTP or by the farm and cannot be allowed");
    }

    private static IEnumerable<IPAddress> InterfaceAddresses()
    {
        try { return NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address).ToList(); }
        catch (NetworkInformationException) { return []; }
    }

    private static IEnumerable<IPAddress> Resolve(string host)
    {
        host = host.Trim().Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal)) return [literal];
        try { return Dns.GetHostAddresses(host); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException) { return []; }
    }

    /// <summary>"akka.tcp://kernelfarm@10.0.0.5:4053" → "10.0.0.5".</summary>
    private static string SeedHost(string seed) => Uri.TryCreate(seed, UriKind.Absolute, out var u) ? u.Host : "";
}
