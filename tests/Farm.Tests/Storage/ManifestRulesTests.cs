using KernelFarm.Actors;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Storage;

public sealed class ManifestRulesTests
{
    private static readonly FarmLimits Limits = new() { MaxArtifactBytes = 1000, MaxArtifactFiles = 3 };
    private static ArtifactEntry A(string path, long size = 1) => new(path, size, new string('a', 64));

    [Fact]
    public void A_manifest_within_the_limits_passes() =>
        Assert.Null(ManifestRules.Check([A("vmlinux", 600), A("System.map", 300), A("modules/lib/fake.ko", 100)], Limits));

    [Fact]
    public void A_declared_total_over_the_cap_is_refused_naming_the_setting()
    {
        var why = ManifestRules.Check([A("vmlinux", 600), A("System.map", 401)], Limits);
        Assert.Contains("1001 bytes", why);
        Assert.Contains("Farm:Limits:MaxArtifactBytes", why);
    }

    [Fact]
    public void Sizes_that_would_overflow_do_not_wrap_below_the_cap() =>
        Assert.Contains("MaxArtifactBytes", ManifestRules.Check([A("a", long.MaxValue), A("b", long.MaxValue)], Limits));

    [Fact]
    public void Too_many_files_are_refused_naming_the_setting() =>
        Assert.Contains("Farm:Limits:MaxArtifactFiles", ManifestRules.Check([A("a"), A("b"), A("c"), A("d")], Limits));

    [Theory]
    [InlineData("build.log")]
    [InlineData("manifest.json")]
    [InlineData("metadata.json")]
    [InlineData("reproducer.sh")]
    [InlineData("Build.LOG")]
    [InlineData(".kernelfarm-job")]
    [InlineData(".staging/x")]
    [InlineData("modules/.hidden")]
    public void Names_of_the_farms_own_files_are_refused(string path)
    {
        Assert.NotNull(ManifestRules.ReservedReason(path));
        Assert.Contains($"'{path}'", ManifestRules.Check([A(path)], Limits));
    }

    [Theory]
    [InlineData("files/build.log")]      // only the top level is the farm's
    [InlineData("config")]
    [InlineData("dtbs/arm/fake-juno.dtb")]
    public void Other_names_pass(string path) => Assert.Null(ManifestRules.ReservedReason(path));

    [Fact]
    public void A_path_listed_twice_is_refused() =>
        Assert.Contains("listed twice", ManifestRules.Check([A("vmlinux"), A("vmlinux")], Limits));

    [Fact]
    public void A_path_that_is_both_file_and_folder_is_refused() =>
        Assert.Contains("both a file and a folder", ManifestRules.Check([A("dtbs/arm"), A("dtbs/arm/x.dtb")], Limits));
}
