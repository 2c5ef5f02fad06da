using KernelFarm.Host.Auth;
using Xunit;

namespace KernelFarm.Tests.Auth;

public sealed class ApiRoleTests
{
    [Theory]
    [InlineData(ApiRole.Viewer, ApiRole.Viewer, true)]
    [InlineData(ApiRole.Viewer, ApiRole.Submitter, false)]
    [InlineData(ApiRole.Viewer, ApiRole.Operator, false)]
    [InlineData(ApiRole.Submitter, ApiRole.Viewer, true)]
    [InlineData(ApiRole.Submitter, ApiRole.Submitter, true)]
    [InlineData(ApiRole.Submitter, ApiRole.Operator, false)]
    [InlineData(ApiRole.Operator, ApiRole.Viewer, true)]
    [InlineData(ApiRole.Operator, ApiRole.Submitter, true)]
    [InlineData(ApiRole.Operator, ApiRole.Operator, true)]
    public void Roles_are_ordered_viewer_submitter_operator(ApiRole role, ApiRole required, bool allowed) =>
        Assert.Equal(allowed, role.Includes(required));

    [Theory]
    [InlineData("viewer", ApiRole.Viewer)]
    [InlineData("submitter", ApiRole.Submitter)]
    [InlineData("operator", ApiRole.Operator)]
    [InlineData("Operator", ApiRole.Operator)]
    [InlineData(" VIEWER ", ApiRole.Viewer)]
    public void Role_names_parse_case_insensitively(string text, ApiRole expected)
    {
        Assert.True(ApiRoles.TryParse(text, out var role));
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("admin")]
    [InlineData("3")] // enum numbers are not role names
    [InlineData("operators")]
    public void Unknown_role_names_are_refused(string? text) => Assert.False(ApiRoles.TryParse(text, out _));

    [Fact]
    public void Names_are_the_configuration_spelling() =>
        Assert.Equal(["viewer", "submitter", "operator"], ApiRoles.All.Select(r => r.Name()));

    [Theory]
    [InlineData("/healthz/live", true)]
    [InlineData("/healthz/ready", true)]
    [InlineData("/metrics", true)]
    [InlineData("/openapi/v1.json", true)]
    [InlineData("/healthz/cluster", false)]
    [InlineData("/metricsx", false)]
    [InlineData("/openapix/v1.json", false)]
    [InlineData("/api/v1/cluster/members", false)]
    [InlineData("/", false)]
    public void Only_probes_metrics_and_openapi_are_anonymous_by_default(string path, bool anonymous) =>
        Assert.Equal(anonymous, FarmPolicies.IsAnonymousPath(new Microsoft.AspNetCore.Http.PathString(path)));
}
