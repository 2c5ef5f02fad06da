using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

/// <summary>
/// Every list and string of a job request has an upper bound, and passing it is one error naming the
/// field. Each case is valid at its bound (so the bound is exactly where it says) and refused one past it.
/// </summary>
public sealed class RequestBoundsTests
{
    private static readonly JobRequestValidator Validator = new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));

    private static BuildJobRequest Valid(Func<BuildConfig, BuildConfig>? config = null, IReadOnlyList<Webhook>? hooks = null)
    {
        var c = new BuildConfig { KernelConfig = "defconfig" };
        return new BuildJobRequest
        {
            SourceRepository = "https://example.org/linux.git",
            TargetArchitecture = "x86_64",
            BuildConfig = config?.Invoke(c) ?? c,
            Webhooks = hooks ?? [],
        };
    }

    private static IEnumerable<string> Repeat(int n, Func<int, string> item) => Enumerable.Range(0, n).Select(item);
    private static Dictionary<string, string> Env(int n) => Repeat(n, i => $"K{i}").ToDictionary(k => k, _ => "value");

    /// <summary>The field, a request at the bound, a request one past it.</summary>
    public static TheoryData<string, Func<int, BuildJobRequest>, int> Bounds() => new()
    {
        { "webhooks[0].events", n => Valid(hooks: [new Webhook { Url = "https://ci.example.org/x", Events = Repeat(n, i => new[] { "completed", "failed", "cancelled", "queued" }[i % 4]).ToList() }]), WebhookRules.Events.Count },
        { "build_config.targets", n => Valid(c => c with { Targets = Repeat(n, _ => "kernel").ToList() }), JobRequestValidator.MaxTargets },
        { "build_config.secret_env", n => Valid(c => c with { CustomEnv = Env(1), SecretEnv = Repeat(n, _ => "K0").ToList() }), JobRequestValidator.MaxCustomEnvEntries },
        { "build_config.kernel_config", n => Valid(c => c with { KernelConfig = new string('a', n - "config".Length) + "config" }), JobRequestValidator.MaxKernelConfigLength },
        { "build_config.kconfig_fragments", n => Valid(c => c with { KconfigFragments = Repeat(n, i => $"CONFIG_X{i}=y").ToList() }), JobRequestValidator.MaxKconfigFragments },
        { "build_config.extra_make_args", n => Valid(c => c with { ExtraMakeArgs = Repeat(n, _ => "-k").ToList() }), JobRequestValidator.MaxExtraMakeArgs },
        { "build_config.make_variables", n => Valid(c => c with { MakeVariables = Repeat(n, i => $"V{i}").ToDictionary(k => k, _ => "1") }), JobRequestValidator.MaxExtraMakeArgs },
        { "build_config.custom_env", n => Valid(c => c with { CustomEnv = Env(n) }), JobRequestValidator.MaxCustomEnvEntries },
        { "build_config.artifact_patterns", n => Valid(c => c with { ArtifactPatterns = Repeat(n, i => $"f{i}").ToList() }), JobRequestValidator.MaxArtifactPatterns },
        { "source_repository", n => Valid() with { SourceRepository = "https://example.org/" + new string('a', n - "https://example.org/".Length) }, JobRequestValidator.MaxSourceRepositoryLength },
        { "branch", n => Valid() with { Branch = new string('b', n) }, JobRequestValidator.MaxBranchLength },
        { "build_config.custom_env.K", n => Valid(c => c with { CustomEnv = new Dictionary<string, string> { ["K"] = new('v', n) } }), JobRequestValidator.MaxCustomEnvValueLength },
        { "build_config.kconfig_fragments[0]", n => Valid(c => c with { KconfigFragments = ["CONFIG_S=\"" + new string('s', n - "CONFIG_S=\"\"".Length) + "\""] }), JobRequestValidator.MaxKconfigFragmentLength },
        { "build_config.extra_make_args[0]", n => Valid(c => c with { ExtraMakeArgs = ["X=" + new string('x', n - 2)] }), JobRequestValidator.MaxExtraMakeArgLength },
        { "build_config.artifact_patterns[0]", n => Valid(c => c with { ArtifactPatterns = [new string('p', n)] }), JobRequestValidator.MaxArtifactPatternLength },
        { "build_config.workspace_root", n => Valid(c => c with { WorkspaceRoot = "/" + new string('w', n - 1) }), SafePath.MaxLength },
        { "build_config.container_image", n => Valid(c => c with { ContainerImage = new string('i', n) }), ContainerImageName.MaxLength },
        { "webhooks", n => Valid(hooks: Repeat(n, i => $"https://ci.example.org/{i}").Select(u => new Webhook { Url = u }).ToList()), WebhookRules.MaxWebhooks },
        { "webhooks[0].url", n => Valid(hooks: [new Webhook { Url = "https://ci.example.org/" + new string('u', n - "https://ci.example.org/".Length) }]), WebhookRules.MaxUrlLength },
        { "webhooks[0].headers", n => Valid(hooks: [new Webhook { Url = "https://ci.example.org/x", Headers = Repeat(n, i => $"X-H{i}").ToDictionary(k => k, _ => "v") }]), WebhookRules.MaxHeaders },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Each_bound_is_exact_and_names_its_field(string field, Func<int, BuildJobRequest> request, int bound)
    {
        var atBound = Validator.Validate(request(bound));
        Assert.True(atBound.Count == 0, $"{field} at its bound {bound}: " + string.Join("; ", atBound));

        var errors = Validator.Validate(request(bound + 1));
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains("at most", error.Message);
    }

    /// <summary>The measured attack: a megabyte of valid event names in one webhook was accepted and queued.</summary>
    [Fact]
    public void A_huge_list_of_valid_webhook_events_is_refused()
    {
        var request = Valid(hooks: [new Webhook { Url = "https://ci.example.org/x", Events = Repeat(100_000, _ => "completed").ToList() }]);
        Assert.Equal("webhooks[0].events", Assert.Single(Validator.Validate(request)).Field);
    }
}
