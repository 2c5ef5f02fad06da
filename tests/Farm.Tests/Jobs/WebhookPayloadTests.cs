using System.Text.Json.Nodes;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Jobs;

public sealed class WebhookPayloadTests
{
    [Fact]
    public void The_payload_tells_the_outcome_and_never_carries_webhook_headers_or_secret_values()
    {
        var request = QueueStateTests.Request() with
        {
            SubmittedBy = "ci",
            Webhooks = [new Webhook { Url = "https://ci.example.com/h", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer hook-secret" } }],
            BuildConfig = QueueStateTests.Request().BuildConfig with
            {
                CustomEnv = new Dictionary<string, string> { ["SIGN_KEY"] = "env-secret-value" },
                SecretEnv = ["SIGN_KEY"],
            },
        };
        var job = new JobRecord
        {
            Id = "job-1", Request = request, Status = JobStatus.Failed, ServerId = "x86",
            Failure = new JobFailure(FailureKind.Build, "building", 2, "building failed with exit code 2"),
            Artifacts = [new ArtifactEntry("build.log", 10, new string('a', 64))],
        };

        var text = WebhookPayload.Build(job);
        var o = JsonNode.Parse(text)!;
        Assert.Equal("failed", o["event"]!.GetValue<string>());
        Assert.Equal("job-1", o["job_id"]!.GetValue<string>());
        Assert.Equal("ci", o["submitted_by"]!.GetValue<string>());
        Assert.Equal("building", o["failure"]!["step"]!.GetValue<string>());
        Assert.Equal("build.log", o["artifacts"]![0]!["path"]!.GetValue<string>());
        Assert.DoesNotContain("hook-secret", text);
        Assert.DoesNotContain("env-secret-value", text);
    }

    [Fact]
    public void A_series_payload_points_at_its_report_and_leaves_the_patches_out()
    {
        var request = QueueStateTests.Request() with { Series = new SeriesRequest { Mbox = "From 1 Mon Sep 17 00:00:00 2001\nSubject: secret-subject\n" } };
        var o = JsonNode.Parse(WebhookPayload.Build(new JobRecord { Id = "s-1", Request = request, Status = JobStatus.Completed }))!;
        Assert.Equal("/api/v1/series/s-1/report", o["series"]!["report"]!.GetValue<string>());
        Assert.Null(JsonNode.Parse(WebhookPayload.Build(new JobRecord { Id = "j", Request = QueueStateTests.Request(), Status = JobStatus.Completed }))!["series"]);
        Assert.DoesNotContain("secret-subject", o.ToJsonString());
    }

    [Theory]
    [InlineData(JobStatus.Completed, true)]
    [InlineData(JobStatus.Failed, false)]
    [InlineData(JobStatus.Cancelled, false)]
    public void A_webhook_with_events_is_called_only_for_those(JobStatus status, bool wanted)
    {
        Assert.Equal(wanted, WebhookPayload.Wants(new Webhook { Events = ["completed"] }, status));
        Assert.True(WebhookPayload.Wants(new Webhook(), status));
    }
}
