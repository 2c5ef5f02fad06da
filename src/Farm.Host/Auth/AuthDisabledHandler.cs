using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace KernelFarm.Host.Auth;

/// <summary>
/// Development mode (<c>Farm__Auth__Disabled=true</c>): every request is an operator named
/// <see cref="AnonymousName"/>, so the same policies apply unchanged and simply pass. Chosen
/// only by that explicit setting, and announced in the log and on every response.
/// </summary>
public sealed class AuthDisabledHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AuthDisabled";
    public const string AnonymousName = "anonymous";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            ApiPrincipal.Create(AnonymousName, ApiRole.Operator, SchemeName), SchemeName)));
}
