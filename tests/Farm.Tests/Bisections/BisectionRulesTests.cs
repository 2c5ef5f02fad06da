using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Bisections;

public sealed class BisectionRulesTests
{
    private static readonly BuildJobRequest Template = new() { Toolchain = "gcc-12", TargetArchitecture = "x86_64" };
    private static readonly BisectCriterion Build = new() { Kind = CriterionKind.BuildFails };

    private static IEnumerable<string> Fields(string? good, string? bad, BisectCriterion? c = null, int? k = null, BuildJobRequest? t = null) =>
        BisectionRules.Check(good, bad, c, k, t ?? Template).Select(e => e.Field);

    [Theory]
    [InlineData("v6.0", "v6.1")]
    [InlineData("0123456", "master")]
    [InlineData("refs/tags/v6.1-rc1", "linux-6.1.y")]
    public void Commit_ids_and_ref_names_are_accepted(string good, string bad) => Assert.Empty(Fields(good, bad, Build));

    [Theory]
    [InlineData("-uhoh")]
    [InlineData("--upload-pack=touch /tmp/x")]
    [InlineData("a..b")]
    [InlineData("v6.1 ")]
    [InlineData("$(id)")]
    [InlineData(".hidden")]
    [InlineData("x.lock")]
    [InlineData("")]
    public void Anything_git_could_take_for_an_option_or_a_range_is_refused(string end)
    {
        Assert.Equal(["good"], Fields(end, "v6.1", Build));
        Assert.Equal(["bad"], Fields("v6.0", end, Build));
    }

    [Fact]
    public void The_criterion_is_required_and_its_fields_must_fit_its_kind()
    {
        Assert.Equal(["criterion"], Fields("a1b2c3d", "master"));
        Assert.Equal(["criterion.threshold_bytes"], Fields("v1", "v2", new BisectCriterion { Kind = CriterionKind.SizeGrows }));
        Assert.Equal(["criterion.threshold_bytes"], Fields("v1", "v2", new BisectCriterion { Kind = CriterionKind.SizeGrows, ThresholdBytes = -1 }));
        Assert.Equal(["criterion.threshold_bytes"], Fields("v1", "v2", Build with { ThresholdBytes = 5 }));
        Assert.Equal(["criterion.match"], Fields("v1", "v2", new BisectCriterion { Kind = CriterionKind.BootFails, Match = "x" }));
        Assert.Equal(["criterion.match"], Fields("v1", "v2", Build with { Match = "a\nb" }));
        Assert.Equal(["criterion.kind"], Fields("v1", "v2", new BisectCriterion { Kind = (CriterionKind)42 }));
    }

    [Fact]
    public void Parallel_toolchain_and_workspace_fields_are_checked()
    {
        Assert.Equal(["max_parallel"], Fields("v1", "v2", Build, 0));
        Assert.Equal(["max_parallel"], Fields("v1", "v2", Build, 65));
        Assert.Equal(["toolchain"], Fields("v1", "v2", Build, t: Template with { Toolchain = null }));
        Assert.Equal(["build_config.build_directory"], Fields("v1", "v2", Build, t: Template with { BuildConfig = new BuildConfig { BuildDirectory = "/srv/x" } }));
        Assert.Equal(["bad"], Fields("v1", "v1", Build));
    }
}
