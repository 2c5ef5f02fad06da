using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace KernelFarm.Actors.Webhooks;

/// <summary>
/// The node's HTTP client for webhooks. The address policy is enforced where it cannot be dodged: on the
/// address actually connected to. The connect callback resolves the host itself, refuses the connection
/// if any resolved address is refused (so neither "localhost", a name pointing inside the network, nor a
/// name that re-resolves between submission and delivery — DNS rebinding — gets through), then connects
/// to exactly those addresses. No proxy (it would be the one connected to) and no redirects (a 3xx
/// could send the request anywhere; the sender records it as a failure).
/// </summary>
public sealed class WebhookHttp
{
    private static readonly ConditionalWeakTable<FarmSettings, WebhookHttp> PerSettings = new();

    public HttpClient Client { get; }

    public WebhookHttp(Func<WebhookAddressPolicy> policy)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 64, // KiB
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, policy(), ct),
        };
        Client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>One client per node (per settings object), with this node's farm addresses.</summary>
    public static WebhookHttp For(FarmSettings settings) =>
        PerSettings.GetValue(settings, s => { var addresses = new FarmAddresses(s); return new WebhookHttp(addresses.Policy); });

    /// <param name="resolve">The name lookup (the system's resolver unless a test supplies one).</param>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, WebhookAddressPolicy policy, CancellationToken ct,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await (resolve ?? Dns.GetHostAddressesAsync)(host, ct);
        if (addresses.Length == 0) throw new WebhookRefusedException($"{host} resolves to no address");
        foreach (var address in addresses)
            if (policy.Refusal(address) is { } why)
                throw new WebhookRefusedException((literal is null ? $"{host} resolves to {address}: " : "") +
                    $"{why}, which webhooks may not call (Farm__Webhooks__AllowedNetworks)");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) { socket.Dispose(); last = e; }
            catch { socket.Dispose(); throw; }
        }
        throw last!;
    }
}
