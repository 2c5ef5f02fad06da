using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace KernelFarm.Actors.Webhooks;

/// <summary>
/// Which IP addresses a webhook may reach. A job's submitter chooses the URL, so without this the farm
/// would POST wherever they like from inside its own network: its loopback services, the cloud metadata
/// endpoint, private hosts, the farm itself. Refused unless an allowed network covers the address:
/// unspecified, loopback, private, shared (CGNAT), link-local, multicast, broadcast and reserved
/// ranges (also when written as IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo IPv6), and the
/// farm's own addresses. Pure: the caller supplies the farm's addresses.
/// </summary>
public sealed class WebhookAddressPolicy
{
    private readonly IReadOnlyList<IPNetwork> _allowed;
    private readonly HashSet<IPAddress> _own;

    public WebhookAddressPolicy(IEnumerable<IPNetwork> allowedNetworks, IEnumerable<IPAddress> ownAddresses)
    {
        _allowed = allowedNetworks.ToList();
        _own = ownAddresses.Select(Normalize).ToHashSet();
    }

    /// <summary>Null when a webhook may connect to <paramref name="address"/>, otherwise why not ("127.0.0.1 is a loopback address").</summary>
    public string? Refusal(IPAddress address)
    {
        var normal = Normalize(address);
        if (_allowed.Any(n => n.Contains(normal) || n.Contains(address))) return null;
        if (Category(normal) is { } what) return $"{address} is {what}";
        if (_own.Contains(normal)) return $"{address} is an address of the farm itself";
        return null;
    }

    /// <summary>IPv4-mapped IPv6 as the IPv4 address it reaches; IPv6 without its scope (fe80::1%2).</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes())
        : address;

    /// <summary>Parses "10.0.0.0/8", "fd00::/8" or a bare address (one host); host bits after the prefix are ignored.</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        var parts = (text ?? "").Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address) || parts[0].Contains('%')) return false;
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (parts.Length == 2 && (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out prefix) || prefix > bits)) return false;
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    /// <summary>What kind of non-public address this is, or null for a public one.</summary>
    private static string? Category(IPAddress a)
    {
        if (a.AddressFamily == AddressFamily.InterNetwork) return Category4(BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes()));
        var b = a.GetAddressBytes();
        if (a.Equals(IPAddress.IPv6None)) return "the unspecified address";
        if (a.Equals(IPAddress.IPv6Loopback)) return "a loopback address";
        if (b[0] == 0xFF) return "a multicast address";
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "a link-local address";
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "a site-local (private) address";
        if ((b[0] & 0xFE) == 0xFC) return "a unique-local (private) address";
        if (StartsWith(b, 0x01, 0x00, 0, 0, 0, 0, 0, 0)) return "a discard-only address";
        // IPv6 forms that carry an IPv4 address: judged by that address.
        if (StartsWith(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) return Embedded(b, 12, "an IPv4-compatible address");
        if (StartsWith(b, 0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0)) return Embedded(b, 12, "a NAT64 address");
        if (StartsWith(b, 0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01)) return "a local-use NAT64 address";
        if (StartsWith(b, 0x20, 0x02)) return Embedded(b, 2, "a 6to4 address");
        if (StartsWith(b, 0x20, 0x01, 0x00, 0x00)) return "a Teredo tunnel address";
        return null;
    }

    private static string? Embedded(byte[] b, int at, string form) =>
        Category4(BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at, 4))) is { } what ? $"{form} of {what}" : null;

    private static string? Category4(uint a) =>
        In(a, 0x00000000, 8) ? "an unspecified ('this network') address"
        : In(a, 0x7F000000, 8) ? "a loopback address"
        : In(a, 0x0A000000, 8) || In(a, 0xAC100000, 12) || In(a, 0xC0A80000, 16) ? "a private address"
        : In(a, 0x64400000, 10) ? "a shared (carrier-grade NAT) address"
        : In(a, 0xA9FE0000, 16) ? "a link-local address (where cloud metadata services answer)"
        : In(a, 0xC0000000, 24) ? "an IETF protocol address"
        : In(a, 0xC6120000, 15) ? "a benchmarking address"
        : In(a, 0xE0000000, 4) ? "a multicast address"
        : a == 0xFFFFFFFF ? "the broadcast address"
        : In(a, 0xF0000000, 4) ? "a reserved address"
        : null;

    private static bool In(uint address, uint network, int prefix) => (address & (uint.MaxValue << (32 - prefix))) == network;

    private static bool StartsWith(byte[] bytes, params byte[] prefix) => bytes.AsSpan().StartsWith(prefix);
}
