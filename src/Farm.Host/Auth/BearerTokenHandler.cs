using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace KernelFarm.Host.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> against the configured token hashes (without the
/// header, the dashboard's <see cref="SessionCookie"/>). A request with neither is anonymous (the
/// endpoint's policy decides); a malformed header or an unknown token fails, and the challenge
/// says which. Failure messages never contain the token.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0) return FromCookie();
        if (headers.Count > 1) return Fail("send a single Authorization header");
        var value = (headers[0] ?? "").Trim();
        if (value.Equals(Prefix.Trim(), StringComparison.OrdinalIgnoreCase)) return Fail("the bearer token is empty");
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return Fail("the Authorization header must be 'Bearer <token>'");
        var secret = value[Prefix.Length..].Trim();
        if (secret.Length == 0) return Fail("the bearer token is empty");
        return tokens.Find(secret) is { } token ? Succeed(token) : Fail("the bearer token is not valid");
    }

    /// <summary>The dashboard's <see cref="SessionCookie"/>: the same token, checked the same way.</summary>
    private Task<AuthenticateResult> FromCookie()
    {
        if (!Request.Cookies.TryGetValue(SessionCookie.Name, out var secret) || string.IsNullOrEmpty(secret))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (tokens.Find(secret) is not { } token) return Fail("the dashboard session is not valid (the token was removed); sign in again");
        if (SessionCookie.NeedsCsrfHeader(Request.Method) && !Request.Headers.ContainsKey(SessionCookie.CsrfHeader))
            return Fail($"a request signed in by the dashboard's cookie must carry the {SessionCookie.CsrfHeader} header");
        return Succeed(token);
    }

    /// <summary>The caller is the token's name with its role, however the token came.</summary>
    private static Task<AuthenticateResult> Succeed(ApiToken token) => Task.FromResult(AuthenticateResult.Success(
        new AuthenticationTicket(ApiPrincipal.Create(token.Name, token.Role, SchemeName), SchemeName)));

    private static Task<AuthenticateResult> Fail(string why) => Task.FromResult(AuthenticateResult.Fail(why));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        await AuthProblems.UnauthorizedAsync(Context, failure ?? AuthProblems.BearerRequired, invalidToken: failure is not null);
    }

    // Normally the authorization result handler answers 403 (it knows the role that was needed);
    // this covers a Forbid from anywhere else.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblems.ForbiddenAsync(Context, ApiPrincipal.RoleOf(Context.User), ApiRole.Operator);
}
