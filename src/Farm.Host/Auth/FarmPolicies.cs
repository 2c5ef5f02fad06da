using Microsoft.AspNetCore.Authorization;

namespace KernelFarm.Host.Auth;

/// <summary>
/// Authorization policy names for endpoints: <c>.RequireAuthorization(FarmPolicies.Viewer)</c>.
/// Reads need <see cref="Viewer"/>, job submission, cancel and retry <see cref="Submitter"/>,
/// anything that changes build servers or the cluster <see cref="Operator"/>. Put the read policy
/// on a route group and the stricter one on each writing endpoint; both apply.
/// An endpoint mapped without any policy falls back to <see cref="Operator"/> (a forgotten policy
/// locks an endpoint rather than opening it), except on <see cref="IsAnonymousPath"/>.
/// </summary>
public static class FarmPolicies
{
    public const string Viewer = "viewer";
    public const string Submitter = "submitter";
    public const string Operator = "operator";

    /// <summary>Probes and Prometheus scrapers carry no token.</summary>
    public static readonly IReadOnlyList<string> AnonymousPaths = ["/healthz/live", "/healthz/ready", "/metrics"];

    /// <summary>The OpenAPI documents describe the API and the dashboard's files are its code; they grant nothing.</summary>
    public static readonly IReadOnlyList<string> AnonymousPathPrefixes = ["/openapi/", "/dashboard/"];

    public static bool IsAnonymousPath(PathString path) =>
        AnonymousPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase))
        || AnonymousPathPrefixes.Any(p => path.StartsWithSegments(p.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    public static void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(Viewer, p => p.AddRequirements(new MinimumRoleRequirement(ApiRole.Viewer)));
        options.AddPolicy(Submitter, p => p.AddRequirements(new MinimumRoleRequirement(ApiRole.Submitter)));
        options.AddPolicy(Operator, p => p.AddRequirements(new MinimumRoleRequirement(ApiRole.Operator)));
        options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .AddRequirements(new MinimumRoleRequirement(ApiRole.Operator, IsAnonymousPath)).Build();
    }
}
