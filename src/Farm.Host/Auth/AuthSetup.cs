using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace KernelFarm.Host.Auth;

/// <summary>Wires API authentication into the host: <c>builder.AddFarmAuth()</c> before Build, <c>app.UseFarmAuth()</c> after.</summary>
public static class AuthSetup
{
    /// <summary>Set on every response while authentication is disabled, so no client can miss it.</summary>
    public const string DisabledHeader = "X-KernelFarm-Auth";

    /// <summary>Reads Farm:Auth and registers the schemes and policies; throws <see cref="AuthConfigurationException"/> on a bad configuration.</summary>
    public static WebApplicationBuilder AddFarmAuth(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(AuthSettings.Section).Get<AuthSettings>() ?? new AuthSettings();
        var tokens = ApiTokens.From(settings);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(tokens);
        builder.Services
            .AddAuthentication(settings.Disabled ? AuthDisabledHandler.SchemeName : BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AuthDisabledHandler>(AuthDisabledHandler.SchemeName, null);
        builder.Services.AddAuthorization(FarmPolicies.Configure);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    public static WebApplication UseFarmAuth(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        if (settings.Disabled)
        {
            var warning = "AUTHENTICATION IS DISABLED (Farm__Auth__Disabled=true): every request is served as an operator " +
                          $"without a token{(settings.Tokens.Count > 0 ? $" and the {settings.Tokens.Count} configured token(s) are ignored" : "")}. " +
                          $"Development only; every response carries '{DisabledHeader}: disabled'.";
            app.Logger.LogWarning("{Warning}", warning);
            // Again once the server listens, so it is also near the end of the start-up output.
            app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogWarning("{Warning}", warning));
            // OnStarting: the header survives the exception handler, which clears headers before its answer.
            app.Use((http, next) =>
            {
                http.Response.OnStarting(() =>
                {
                    http.Response.Headers[DisabledHeader] = "disabled";
                    return Task.CompletedTask;
                });
                return next(http);
            });
        }
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
