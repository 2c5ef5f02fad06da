namespace KernelFarm.Host.Auth;

/// <summary>401 and 403 as application/problem+json, like every other error of the API, saying what is missing.</summary>
public static class AuthProblems
{
    public const string BearerRequired = "a bearer token is required: send 'Authorization: Bearer <token>'";

    public static Task UnauthorizedAsync(HttpContext http, string detail, bool invalidToken)
    {
        // RFC 6750: the scheme a client must use, and why a presented token did not do.
        http.Response.Headers.WWWAuthenticate = invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail).ExecuteAsync(http);
    }

    public static Task ForbiddenAsync(HttpContext http, ApiRole? role, ApiRole needed)
    {
        var detail = role is { } r
            ? $"this token's role '{r.Name()}' may not do this; it needs '{needed.Name()}'"
            : $"this request needs a token with the role '{needed.Name()}'";
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
            extensions: new Dictionary<string, object?> { ["required_role"] = needed.Name() }).ExecuteAsync(http);
    }
}
