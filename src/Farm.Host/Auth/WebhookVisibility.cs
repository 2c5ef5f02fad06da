using System.Security.Claims;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Auth;

/// <summary>Who sees a job's webhooks and their deliveries: the token that submitted it (submitted_by) and operators.</summary>
public static class WebhookVisibility
{
    public static bool CanSee(ClaimsPrincipal? viewer, JobRecord job) =>
        ApiPrincipal.RoleOf(viewer) is { } role
        && (role.Includes(ApiRole.Operator) || job.Request.SubmittedBy is { } owner && ApiPrincipal.NameOf(viewer) == owner);
}
