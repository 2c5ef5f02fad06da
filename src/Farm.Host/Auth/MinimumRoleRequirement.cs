using Microsoft.AspNetCore.Authorization;

namespace KernelFarm.Host.Auth;

/// <summary>
/// The caller's token must have at least <see cref="Role"/> (roles are ordered, see <see cref="ApiRole"/>).
/// With <see cref="AnonymousPaths"/> it also lets anyone through on those paths: that form is the
/// fallback policy, which covers endpoints mapped without any policy of their own.
/// Its own handler (ASP.NET runs requirements that are handlers without registration).
/// </summary>
public sealed class MinimumRoleRequirement(ApiRole role, Func<PathString, bool>? anonymousPaths = null)
    : AuthorizationHandler<MinimumRoleRequirement>, IAuthorizationRequirement
{
    public ApiRole Role { get; } = role;
    public Func<PathString, bool>? AnonymousPaths { get; } = anonymousPaths;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MinimumRoleRequirement requirement)
    {
        if (ApiPrincipal.RoleOf(context.User) is { } role && role.Includes(requirement.Role))
            context.Succeed(requirement);
        else if (requirement.AnonymousPaths is { } anonymous && context.Resource is HttpContext http && anonymous(http.Request.Path))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    // Named in the "requirements were not met" log line.
    public override string ToString() =>
        $"a token with the role '{Role.Name()}' or higher{(AnonymousPaths is null ? "" : " (anonymous on the probe, metrics and OpenAPI paths)")}";
}
