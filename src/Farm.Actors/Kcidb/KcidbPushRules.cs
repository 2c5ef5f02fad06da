namespace KernelFarm.Actors.Kcidb;

/// <summary>
/// The push settings checked at startup: a farm that would send every build to a wrong place, or
/// with a header no HTTP stack can send, refuses to start instead of failing each delivery.
/// </summary>
public static class KcidbPushRules
{
    public static void Validate(KcidbSettings settings)
    {
        if (!settings.Pushes) return; // a token without a URL is kept for when the push is turned back on
        var url = settings.SubmitUrl!;
        if (!(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)))
            throw new InvalidOperationException($"Farm:Kcidb:SubmitUrl must be an absolute http(s) URL (e.g. https://kcidb.kernelci.org/submit), not '{url}'");
        if (!string.IsNullOrEmpty(u.UserInfo))
            throw new InvalidOperationException("Farm:Kcidb:SubmitUrl may not hold credentials (user:password@): put the secret in Farm:Kcidb:Token");
        // A pushed document is read elsewhere: its log and artifact URLs must name the farm, not a request's host.
        if (string.IsNullOrWhiteSpace(settings.PublicUrl))
            throw new InvalidOperationException("Farm:Kcidb:PublicUrl is required when Farm:Kcidb:SubmitUrl is set: the pushed builds' log and artifact URLs name it");
        // The token's value is never part of a message: it is a secret.
        if (settings.Token is { Length: > 0 } token && token.Any(c => c is <= ' ' or > '~'))
            throw new InvalidOperationException("Farm:Kcidb:Token must be printable ASCII without spaces (it is sent as 'Authorization: Bearer <token>')");
    }
}
