using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Gateway;

public sealed class JobViewWebhookVisibilityTests
{
    private static readonly JobRecord Job = new()
    {
        Id = "job-1",
        Status = JobStatus.Completed,
        Request = QueueStateTests.Request() with
        {
            SubmittedBy = "alice",
            Webhooks = [new Webhook { Url = "https://ci.internal.example/h", Headers = new Dictionary<string, string> { ["X-Token"] = "hook-secret" } }],
        },
        WebhookDeliveries = [new WebhookDelivery(0, "https://ci.internal.example/h", false, 1, null, "refused", DateTimeOffset.UnixEpoch)],
        KcidbDelivery = new WebhookDelivery(0, "https://kcidb.example.org/submit", true, 2, 200, null, DateTimeOffset.UnixEpoch),
    };

    /// <summary>The view as the API sends it.</summary>
    private static JsonObject AsJson(BuildJobView view) => JsonSerializer.SerializeToNode(view, FarmJson.Options)!.AsObject();

    [Theory]
    [InlineData("alice", ApiRole.Submitter, true)] // the owner
    [InlineData("alice", ApiRole.Viewer, true)]    // the owner's name, even if its role were lowered
    [InlineData("ops", ApiRole.Operator, true)]
    [InlineData("bob", ApiRole.Submitter, false)]
    [InlineData("eve", ApiRole.Viewer, false)]
    public void Webhooks_and_deliveries_are_shown_to_the_owner_and_operators_only(string name, ApiRole role, bool sees)
    {
        var view = AsJson(Views.Job(Job, ApiPrincipal.Create(name, role, "test")));
        Assert.Equal(sees, view.ContainsKey("webhooks"));
        Assert.Equal(sees, view.ContainsKey("webhook_deliveries"));
        Assert.Equal(sees, view.ContainsKey("kcidb_delivery")); // the push's outcome too
        Assert.Equal(sees, view.ToJsonString().Contains("ci.internal.example"));
        Assert.DoesNotContain("hook-secret", view.ToJsonString()); // header values are masked for everyone
        Assert.Equal("completed", view["status"]!.GetValue<string>()); // the rest of the job is the same for all
    }

    [Fact]
    public void Nobody_signed_in_sees_no_webhooks() =>
        Assert.False(AsJson(Views.Job(Job, null)).ContainsKey("webhooks"));
}
