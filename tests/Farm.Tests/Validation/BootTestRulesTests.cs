using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

/// <summary>build_config.boot_test: accepted where a boot profile exists, refused (naming the field) elsewhere.</summary>
public sealed class BootTestRulesTests
{
    private static readonly JobRequestValidator Validator = new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));

    private static BuildJobRequest Request(string arch, bool bootTest, IReadOnlyList<string>? targets = null) => new()
    {
        SourceRepository = "https://github.com/torvalds/linux",
        Branch = "master",
        CommitHash = "HEAD",
        TargetArchitecture = arch,
        BuildConfig = new BuildConfig { KernelConfig = "tinyconfig", BootTest = bootTest, Targets = targets },
    };

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Boot_test_is_accepted_for_architectures_with_a_boot_profile(string arch) =>
        Assert.Empty(Validator.Validate(Request(arch, bootTest: true)));

    [Theory]
    [InlineData("i386")]
    [InlineData("arm")]
    [InlineData("riscv64")]
    public void Boot_test_is_refused_naming_the_field_for_other_architectures(string arch)
    {
        var error = Assert.Single(Validator.Validate(Request(arch, bootTest: true)));
        Assert.Equal("build_config.boot_test", error.Field);
        Assert.Equal($"is not supported for {arch}; boot tests run for: arm64, x86_64", error.Message);
    }

    [Theory]
    [InlineData("i386")]
    [InlineData("riscv64")]
    public void Without_a_boot_test_every_architecture_is_fine(string arch) =>
        Assert.Empty(Validator.Validate(Request(arch, bootTest: false)));

    [Fact]
    public void An_unknown_architecture_is_reported_once_on_target_architecture()
    {
        var error = Assert.Single(Validator.Validate(Request("sparc", bootTest: true)));
        Assert.Equal("target_architecture", error.Field);
    }

    [Fact]
    public void Boot_test_needs_the_kernel_among_explicit_targets()
    {
        var error = Assert.Single(Validator.Validate(Request("x86_64", bootTest: true, targets: ["config", "headers"])));
        Assert.Equal("build_config.boot_test", error.Field);
        Assert.Empty(Validator.Validate(Request("x86_64", bootTest: true, targets: ["kernel"])));
    }

    [Fact]
    public void Boot_test_defaults_to_off()
    {
        Assert.False(new BuildConfig().BootTest);
        var json = """{"kernel_config": "tinyconfig"}""";
        Assert.False(System.Text.Json.JsonSerializer.Deserialize<BuildConfig>(json, KernelFarm.Messages.Serialization.FarmJson.Options)!.BootTest);
        var on = System.Text.Json.JsonSerializer.Deserialize<BuildConfig>("""{"boot_test": true}""", KernelFarm.Messages.Serialization.FarmJson.Options)!;
        Assert.True(on.BootTest);
    }
}
