using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Jobs;

public sealed class JobOwnershipTests
{
    private static JobRecord JobOf(string? owner, BuildConfig? config = null, IReadOnlyList<Webhook>? hooks = null) => new()
    {
        Id = "j",
        Request = new BuildJobRequest { SubmittedBy = owner, BuildConfig = config ?? new BuildConfig(), Webhooks = hooks ?? [] },
    };

    [Fact]
    public void A_submitter_may_change_its_own_job() => Assert.True(JobOwnership.MayChange(JobOf("alice"), "alice", callerIsOperator: false));

    [Fact]
    public void A_submitter_may_not_change_another_tokens_job() => Assert.False(JobOwnership.MayChange(JobOf("alice"), "mallory", callerIsOperator: false));

    [Fact]
    public void Token_names_are_compared_exactly() => Assert.False(JobOwnership.MayChange(JobOf("alice"), "Alice", callerIsOperator: false));

    [Fact]
    public void An_operator_may_change_any_job() => Assert.True(JobOwnership.MayChange(JobOf("alice"), "ops", callerIsOperator: true));

    [Fact]
    public void A_job_from_before_tokens_belongs_to_no_submitter()
    {
        Assert.False(JobOwnership.MayChange(JobOf(null), "alice", callerIsOperator: false));
        Assert.False(JobOwnership.MayChange(JobOf("alice"), null, callerIsOperator: false));
        Assert.True(JobOwnership.MayChange(JobOf(null), "ops", callerIsOperator: true));
    }

    [Fact]
    public void Secret_env_and_webhook_headers_are_the_owners_secrets()
    {
        var job = JobOf("alice",
            new BuildConfig { CustomEnv = new Dictionary<string, string> { ["TOKEN"] = "s3cret", ["PLAIN"] = "x" }, SecretEnv = ["TOKEN"] },
            [new Webhook { Url = "https://a.example/x" }, new Webhook { Url = "https://b.example/x", Headers = new Dictionary<string, string> { ["X-Token"] = "t" } }]);
        Assert.Equal(["build_config.secret_env", "webhooks[1].headers"], JobOwnership.SecretFields(job.Request));
    }

    [Fact]
    public void A_request_without_secrets_has_no_secret_fields() =>
        Assert.Empty(JobOwnership.SecretFields(JobOf("alice", new BuildConfig { CustomEnv = new Dictionary<string, string> { ["PLAIN"] = "x" } }).Request));
}
