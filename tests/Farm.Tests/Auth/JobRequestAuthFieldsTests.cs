using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Auth;

/// <summary>The request fields auth added: submitted_by (the farm's, never the client's) and secret_env.</summary>
public sealed class JobRequestAuthFieldsTests
{
    private static readonly JobRequestValidator Validator = new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));

    private static BuildJobRequest Request(BuildConfig? config = null) => new()
    {
        SourceRepository = "https://github.com/torvalds/linux",
        TargetArchitecture = "x86_64",
        BuildConfig = config ?? new BuildConfig(),
    };

    [Fact]
    public void A_client_cannot_claim_who_submitted() =>
        Assert.Equal("submitted_by", Assert.Single(Validator.Validate(Request() with { SubmittedBy = "someone-else" })).Field);

    [Fact]
    public void Secret_env_names_entries_of_custom_env() =>
        Assert.Empty(Validator.Validate(Request(new BuildConfig
        {
            CustomEnv = new Dictionary<string, string> { ["API_KEY"] = "k-123456", ["PLAIN"] = "x" },
            SecretEnv = ["API_KEY"],
        })));

    [Fact]
    public void A_secret_env_name_without_a_custom_env_entry_is_refused() =>
        Assert.Equal("build_config.secret_env[1]", Assert.Single(Validator.Validate(Request(new BuildConfig
        {
            CustomEnv = new Dictionary<string, string> { ["API_KEY"] = "k-123456" },
            SecretEnv = ["API_KEY", "MISSING"],
        }))).Field);

    [Fact]
    public void A_secret_too_short_to_mask_usefully_is_refused()
    {
        var error = Assert.Single(Validator.Validate(Request(new BuildConfig
        {
            CustomEnv = new Dictionary<string, string> { ["PIN"] = "123" },
            SecretEnv = ["PIN"],
        })));
        Assert.Equal("build_config.custom_env.PIN", error.Field);
        Assert.DoesNotContain("123", error.Message);
    }

    [Fact]
    public void Null_secret_env_is_refused() =>
        Assert.Equal("build_config.secret_env", Assert.Single(Validator.Validate(Request(new BuildConfig { SecretEnv = null! }))).Field);

    [Fact]
    public void Secret_values_are_those_named() =>
        Assert.Equal(["k-123456"], new BuildConfig
        {
            CustomEnv = new Dictionary<string, string> { ["API_KEY"] = "k-123456", ["PLAIN"] = "visible" },
            SecretEnv = ["API_KEY"],
        }.SecretValues);
}
