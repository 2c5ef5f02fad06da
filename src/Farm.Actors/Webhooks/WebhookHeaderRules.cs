namespace KernelFarm.Actors.Webhooks;

/// <summary>
/// Which request headers a job may give its webhooks. Two kinds are refused: those HTTP framing or the
/// farm itself sets (a job choosing them could split or misroute the request, or fake the farm's own
/// headers) are never allowed; those that carry credentials or claim a client's identity or route
/// (Authorization, Cookie, X-Forwarded-For, …) are allowed only when the operator lists them in
/// Farm:Webhooks:AllowedHeaders, since a receiver inside the network may trust them. Case-insensitive.
/// </summary>
public static class WebhookHeaderRules
{
    /// <summary>Set by HTTP or by the farm: not even configuration can allow them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "TE", "Trailer",
        "Connection", "Keep-Alive", "Upgrade", "Expect", "User-Agent",
    };

    /// <summary>Prefixes of reserved names.</summary>
    public static readonly IReadOnlyList<string> ReservedPrefixes = ["X-KernelFarm-"];

    /// <summary>Credentials, client identity and routing: refused unless configuration allows the name.</summary>
    public static readonly IReadOnlySet<string> Sensitive = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Forwarded", "Via", "X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
        "X-Cluster-Client-IP", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override",
    };

    /// <summary>
    /// Prefixes of sensitive names: X-Forwarded-For/-Host/-Proto…, Proxy-Authorization…, and the headers
    /// cloud metadata services demand as proof a request is not forged (Metadata, Metadata-Flavor).
    /// </summary>
    public static readonly IReadOnlyList<string> SensitivePrefixes = ["X-Forwarded-", "Proxy-", "Metadata"];

    public static bool IsReserved(string name) =>
        Reserved.Contains(name) || ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    public static bool IsSensitive(string name) =>
        Sensitive.Contains(name) || SensitivePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Null when a job may set the header, otherwise why not.</summary>
    public static string? Refusal(string name, IReadOnlySet<string> allowed) =>
        IsReserved(name) ? $"{name} is set by HTTP or by the farm"
        : IsSensitive(name) && !allowed.Contains(name) ? $"{name} carries credentials or routing; this farm does not let jobs set it (Farm__Webhooks__AllowedHeaders)"
        : null;
}
