namespace KernelFarm.Actors.Plans;

/// <summary>
/// Which <c>kconfig</c> URLs the farm fetches: only under a prefix the operator allows
/// (<c>Farm:KconfigUrlPrefixes</c>, e.g. <c>https://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/</c>).
/// The farm's node makes the request, so a URL anywhere else (an internal address, a metadata
/// service) is never fetched. Compared parsed, not as text: scheme, host and port equal, the path
/// under the prefix's path, and nothing that could make the text mean another place (user info,
/// dot segments, escapes, a query or a fragment).
/// </summary>
public static class KconfigUrlRule
{
    public const int MaxLength = 2048;

    public static bool IsUrl(string item) =>
        item.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || item.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="url"/> may be fetched, else why not.</summary>
    public static string? Refusal(string url, IReadOnlyList<string> prefixes)
    {
        if (prefixes.Count == 0) return "this farm fetches no kconfig URLs (Farm:KconfigUrlPrefixes is empty); put its lines in the plan as CONFIG_ items";
        if (url.Length > MaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http"))
            return "is not an http(s) URL";
        if (u.UserInfo.Length > 0 || url.Contains('%') || url.Contains('\\') || u.Query.Length > 0 || u.Fragment.Length > 0 || HasDotSegment(url))
            return "must be a plain URL (no user info, escapes, dot segments, query or fragment)";
        foreach (var prefix in prefixes)
            if (Uri.TryCreate(prefix, UriKind.Absolute, out var p) && p.Scheme == u.Scheme && p.IdnHost == u.IdnHost && p.Port == u.Port
                && u.AbsolutePath.StartsWith(p.AbsolutePath.EndsWith('/') ? p.AbsolutePath : p.AbsolutePath + "/", StringComparison.Ordinal))
                return null;
        return $"is not under a prefix this farm fetches from (Farm:KconfigUrlPrefixes: {string.Join(", ", prefixes)})";
    }

    private static bool HasDotSegment(string url)
    {
        var path = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return path.Split('/').Skip(1).Any(s => s is "." or "..");
    }
}
