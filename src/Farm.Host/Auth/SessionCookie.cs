namespace KernelFarm.Host.Auth;

/// <summary>
/// The dashboard's sign-in: the browser keeps the API token in an HttpOnly, SameSite=Strict cookie
/// (scripts cannot read it; other sites cannot send it), so plain links (artifact downloads) and
/// streams work, and every farm node accepts it, since it is the token itself (removing the token
/// from the configuration signs the browser out everywhere). A request authenticated by the
/// cookie that changes something must also carry <see cref="CsrfHeader"/>: a header no other
/// site's page can add without a CORS preflight, which the farm never grants.
/// </summary>
public static class SessionCookie
{
    public const string Name = "kfarm_token";
    public const string CsrfHeader = "X-KernelFarm-Dashboard";
    /// <summary>How long a browser stays signed in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        MaxAge = Lifetime,
        IsEssential = true,
    };

    /// <summary>GET, HEAD and OPTIONS change nothing; every other method needs the CSRF header with a cookie.</summary>
    public static bool NeedsCsrfHeader(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
}
