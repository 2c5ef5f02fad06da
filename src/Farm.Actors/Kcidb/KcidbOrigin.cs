using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Kcidb;

/// <summary>The origin that prefixes every id: the schema's <c>^[a-z0-9_]+$</c>.</summary>
public static partial class KcidbOrigin
{
    public static bool IsValid(string? origin) => origin is not null && Pattern().IsMatch(origin);

    /// <summary>Refuses to start with an origin KCIDB would refuse every document for.</summary>
    public static void Validate(KcidbSettings settings)
    {
        if (!IsValid(settings.Origin))
            throw new InvalidOperationException($"Farm:Kcidb:Origin must match ^[a-z0-9_]+$ (KCIDB's origin), not '{settings.Origin}'");
        if (settings.PublicUrl is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)))
            throw new InvalidOperationException($"Farm:Kcidb:PublicUrl must be an absolute http(s) URL, not '{url}'");
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex Pattern();
}
