using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace KernelFarm.Host.Auth;

/// <summary>
/// Answers a 403 with the role the endpoint needed (only the authorization result knows which
/// requirement failed); everything else, the 401 challenge included, goes the default way.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!result.Forbidden) return _default.HandleAsync(next, context, policy, result);
        var needed = result.AuthorizationFailure?.FailedRequirements.OfType<MinimumRoleRequirement>()
            .Select(r => r.Role).DefaultIfEmpty(ApiRole.Operator).Max() ?? ApiRole.Operator;
        return AuthProblems.ForbiddenAsync(context, ApiPrincipal.RoleOf(context.User), needed);
    }
}
