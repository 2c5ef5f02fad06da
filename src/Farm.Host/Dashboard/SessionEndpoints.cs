using System.Text.Json;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway;
using KernelFarm.Host.Gateway.Contract;

namespace KernelFarm.Host.Dashboard;

/// <summary>
/// Signing the dashboard in and out (<see cref="SessionCookie"/>), and <c>GET /api/v1/whoami</c>:
/// the caller's token name and role, so a client shows only what that role may do.
/// </summary>
public static class SessionEndpoints
{
    public sealed record SignIn(string? Token);

    /// <summary>Anyone may call the sign-in: its body (a token of 64 hex digits) is bounded far below the API's limit.</summary>
    public const int SignInMaxBytes = 4096;

    public static void MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/dashboard/session", async (HttpContext http, ApiTokens tokens, AuthSettings auth) =>
        {
            if (auth.Disabled) return Results.Ok(Who(AuthDisabledHandler.AnonymousName, ApiRole.Operator, auth));
            SignIn? body;
            try { body = await http.Request.ReadFromJsonAsync<SignIn>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException { StatusCode: not StatusCodes.Status413PayloadTooLarge })
            {
                return Problems.Invalid("token", "send a JSON object {\"token\": \"...\"}");
            }
            if (string.IsNullOrWhiteSpace(body?.Token)) return Problems.Invalid("token", "is required");
            if (tokens.Find(body.Token.Trim()) is not { } token)
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "this token is not valid",
                    extensions: new Dictionary<string, object?> { ["field"] = "token" });
            http.Response.Cookies.Append(SessionCookie.Name, body.Token.Trim(), SessionCookie.Options(http.Request));
            return Results.Ok(Who(token.Name, token.Role, auth));
        }).AllowAnonymous().DisableAntiforgery().WithMetadata(new RequestBodyLimit(SignInMaxBytes))
          .Describe("SignIn", "Sign the dashboard in with a token (sets the session cookie)").Accepts<SignIn>(OpenApiMetadata.Json)
          .Produces<SessionInfo>().WithProblems(400, 401, 413);

        // Who this browser is signed in as; answers 200 either way, so a page that is not signed in
        // yet shows its sign-in form without a failed request.
        app.MapGet("/dashboard/session", (HttpContext http, AuthSettings auth) =>
            ApiPrincipal.RoleOf(http.User) is { } role
                ? Results.Ok(Who(ApiPrincipal.NameOf(http.User)!, role, auth))
                : Results.Ok(new SessionInfo { SignedIn = false, AuthDisabled = auth.Disabled })).AllowAnonymous()
            .Describe("GetSession", "Who this browser is signed in as (200 either way)").Produces<SessionInfo>();

        app.MapDelete("/dashboard/session", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(SessionCookie.Name, SessionCookie.Options(http.Request));
            return Results.NoContent();
        }).AllowAnonymous().Describe("SignOut", "Forget the session cookie").Produces(StatusCodes.Status204NoContent);

        app.MapGet("/api/v1/whoami", (HttpContext http, AuthSettings auth) =>
            Results.Ok(Who(ApiPrincipal.NameOf(http.User) ?? "", ApiPrincipal.RoleOf(http.User) ?? ApiRole.Viewer, auth)))
            .RequireAuthorization(FarmPolicies.Viewer)
            .Describe("WhoAmI", "The caller's token name and role").Produces<SessionInfo>().WithProblems(401);
    }

    /// <summary>One shape for every answer about a signed-in caller.</summary>
    private static SessionInfo Who(string name, ApiRole role, AuthSettings auth) =>
        new() { SignedIn = true, Name = name, Role = role.Name(), AuthDisabled = auth.Disabled };
}
