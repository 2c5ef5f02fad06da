using System.Security.Claims;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Auth;

/// <summary>Who sees a job's webhooks and their deliveries: the token that submitted it (submitted_by) and operators.</summary>
public static class WebhookVisibility
{
    public static bool CanSee(ClaimsPrincipal? viewer, JobRecord job) => CanSee(viewer, job.Request.SubmittedBy);

    /// <summary>The same rule for whatever a token submitted (a job, a bisection).</summary>
    public static bool CanSee(ClaimsPrincipal? viewer, string? submittedBy) =>
        ApiPrincipal.RoleOf(viewer) is { } role
        && (role.Includes(ApiRole.Operator) || submittedBy is { } owner && ApiPrincipal.NameOf(viewer) == owner);
}
