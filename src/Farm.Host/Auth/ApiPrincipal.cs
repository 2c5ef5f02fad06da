using System.Security.Claims;

namespace KernelFarm.Host.Auth;

/// <summary>The caller as the endpoints and policies see it: the token's name and its role, never its secret.</summary>
public static class ApiPrincipal
{
    public static ClaimsPrincipal Create(string name, ApiRole role, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Name())], scheme));

    /// <summary>The caller's role, or null for an anonymous caller.</summary>
    public static ApiRole? RoleOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && ApiRoles.TryParse(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    /// <summary>The token's configured name (a job's submitted_by), or null for an anonymous caller.</summary>
    public static string? NameOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
}
