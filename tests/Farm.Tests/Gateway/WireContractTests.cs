using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Host.Gateway;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using KernelFarm.Tests.Servers;
using Xunit;

namespace KernelFarm.Tests.Gateway;

/// <summary>
/// The flattened views carry exactly the fields of the records they show, so a field added to a
/// request, a job record or a server registration cannot be left out of the API (or its OpenAPI schema).
/// </summary>
public sealed class WireContractTests
{
    private static HashSet<string> Names<T>(T value) =>
        JsonSerializer.SerializeToNode(value, FarmJson.Options)!.AsObject().Select(p => p.Key).ToHashSet();

    private static readonly JobRecord Job = new()
    {
        Id = "job-1",
        Request = QueueStateTests.Request() with { SubmittedBy = "alice" },
        Status = JobStatus.Building,
        // left out of the view while null (no push recorded): set, so the view shows it
        KcidbDelivery = new WebhookDelivery(0, "https://kcidb.example.org/submit", true, 1, 200, null, DateTimeOffset.UnixEpoch),
    };

    [Fact]
    public void A_job_view_has_the_request_fields_and_the_record_fields_and_no_other()
    {
        var expected = Names(Job.Request).Union(Names(Job)).Except(["request"]).ToHashSet();
        // An operator sees the webhooks, so every field is there.
        var view = Views.Job(Job, KernelFarm.Host.Auth.ApiPrincipal.Create("ops", KernelFarm.Host.Auth.ApiRole.Operator, "test"));
        Assert.Equal(expected.Order(), Names(view).Order());
    }

    [Fact]
    public void A_server_view_has_every_registration_field()
    {
        var server = PlacementStrategyTests.Server("a");
        var view = Views.Server(new ServerView(server, 0, [], new ServerHealth(HealthStatus.Healthy, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch));
        Assert.Empty(Names(server).Except(Names(view)));
        // ...with the registration's values
        var registration = JsonSerializer.SerializeToNode(server, FarmJson.Options)!.AsObject();
        var shown = JsonSerializer.SerializeToNode(view, FarmJson.Options)!.AsObject();
        foreach (var (name, value) in registration) Assert.True(JsonNode.DeepEquals(value, shown[name]), name);
    }

    [Fact]
    public void A_job_view_shows_the_request_values_with_secrets_masked()
    {
        var job = Job with
        {
            Request = Job.Request with
            {
                BuildConfig = Job.Request.BuildConfig with
                {
                    CustomEnv = new Dictionary<string, string> { ["TOKEN"] = "s3cret-value", ["PLAIN"] = "x" },
                    SecretEnv = ["TOKEN"],
                },
            },
        };
        var shown = JsonSerializer.SerializeToNode(Views.Job(job, null), FarmJson.Options)!.AsObject();
        Assert.Equal("***", shown["build_config"]!["custom_env"]!["TOKEN"]!.GetValue<string>());
        Assert.Equal("x", shown["build_config"]!["custom_env"]!["PLAIN"]!.GetValue<string>());
        Assert.Equal(job.Request.SourceRepository, shown["source_repository"]!.GetValue<string>());
        Assert.Equal("building", shown["status"]!.GetValue<string>());
    }

    [Fact]
    public void A_series_jobs_view_says_how_its_patches_were_given_without_repeating_the_mbox()
    {
        var mbox = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] é\n\n---\ndiff --git a/x b/x\n";
        var series = Job with { Request = Job.Request with { Series = new SeriesRequest { Mbox = mbox, ContinueOnFailure = true } } };
        var shown = JsonSerializer.SerializeToNode(Views.Job(series, null), FarmJson.Options)!.AsObject();
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(mbox), shown["series"]!["mbox_bytes"]!.GetValue<int>());
        Assert.True(shown["series"]!["continue_on_failure"]!.GetValue<bool>());
        Assert.Null(shown["series"]!["range"]);
        Assert.DoesNotContain("mbox", shown["series"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("Subject", shown.ToJsonString());

        var range = Job with { Request = Job.Request with { Series = new SeriesRequest { Range = "a..b" } } };
        var ranged = JsonSerializer.SerializeToNode(Views.Job(range, null), FarmJson.Options)!.AsObject();
        Assert.Equal("a..b", ranged["series"]!["range"]!.GetValue<string>());
        Assert.Null(ranged["series"]!["mbox_bytes"]);
        // a single build: null
        Assert.Null(JsonSerializer.SerializeToNode(Views.Job(Job, null), FarmJson.Options)!["series"]);
    }
}
