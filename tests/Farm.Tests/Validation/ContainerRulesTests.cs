using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Servers;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Validation;

/// <summary>Container fields of jobs and of build servers.</summary>
public sealed class ContainerRulesTests : IDisposable
{
    private const string Image = "localhost/kernelfarm-builder:bookworm";
    private static readonly JobRequestValidator Validator = new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));
    private readonly string _keyDir = Directory.CreateTempSubdirectory("kfarm-key-").FullName;
    private readonly string _key;

    public ContainerRulesTests()
    {
        _key = Path.Combine(_keyDir, "id_ed25519");
        File.WriteAllText(_key, "key\n");
    }

    public void Dispose() => Directory.Delete(_keyDir, recursive: true);

    // ---- image names ----

    [Theory]
    [InlineData(Image)]
    [InlineData("debian")]
    [InlineData("debian:bookworm")]
    [InlineData("docker.io/library/debian:bookworm-slim")]
    [InlineData("registry.lab:5000/kernel/builder_x86-64:gcc-12.2")]
    [InlineData("tuxmake/x86_64_gcc-12")]
    [InlineData("debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Image_references_are_accepted(string name) => Assert.True(ContainerImageName.IsValid(name), name);

    [Theory]
    [InlineData("")]
    [InlineData("-v")]
    [InlineData("--privileged")]
    [InlineData("debian;touch /tmp/pwned")]
    [InlineData("debian:$(id)")]
    [InlineData("debian:`id`")]
    [InlineData("debian bookworm")]
    [InlineData("debian\n")]
    [InlineData("Debian")]
    [InlineData("debian:")]
    [InlineData(":tag")]
    [InlineData("/debian")]
    [InlineData("debian/")]
    [InlineData("debian//x")]
    [InlineData("../debian")]
    [InlineData("debian:-tag")]
    [InlineData("debian@sha256:xyz")]
    [InlineData("'debian'")]
    public void Unsafe_or_malformed_image_references_are_refused(string name) => Assert.False(ContainerImageName.IsValid(name), name);

    [Fact]
    public void Image_references_are_limited_in_length() =>
        Assert.False(ContainerImageName.IsValid("a/" + new string('b', 300)));

    // ---- jobs ----

    private static BuildJobRequest Job(Func<BuildConfig, BuildConfig> change) => new()
    {
        SourceRepository = "https://github.com/torvalds/linux",
        Branch = "master",
        CommitHash = "HEAD",
        TargetArchitecture = "x86_64",
        BuildConfig = change(new BuildConfig { KernelConfig = "tinyconfig" }),
    };

    [Fact]
    public void A_job_with_an_image_and_limits_is_valid()
    {
        var errors = Validator.Validate(Job(c => c with { ContainerImage = Image, ContainerCpus = 1.5, ContainerMemoryMb = 2048 }));
        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }

    [Theory]
    [InlineData("debian;reboot")]
    [InlineData("$(touch /tmp/x)")]
    [InlineData("-it")]
    public void A_job_image_outside_the_safe_set_is_refused_by_name(string image)
    {
        var error = Assert.Single(Validator.Validate(Job(c => c with { ContainerImage = image })));
        Assert.Equal("build_config.container_image", error.Field);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(5000.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Cpus_out_of_range_are_refused(double cpus)
    {
        var error = Assert.Single(Validator.Validate(Job(c => c with { ContainerImage = Image, ContainerCpus = cpus })));
        Assert.Equal("build_config.container_cpus", error.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(-4096)]
    [InlineData(int.MaxValue)]
    public void Memory_out_of_range_is_refused(int mb)
    {
        var error = Assert.Single(Validator.Validate(Job(c => c with { ContainerImage = Image, ContainerMemoryMb = mb })));
        Assert.Equal("build_config.container_memory_mb", error.Field);
    }

    // ---- servers ----

    private BuildServer Server() => new()
    {
        Id = "builder-1",
        Hostname = "builder-1.lab",
        IpAddress = "127.0.0.2",
        SshUsername = "kfbuild",
        SshKeyPath = _key,
        SshHostKeyFingerprint = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
        SupportedArchitectures = ["x86_64", "arm64"],
        Toolchains = [new Toolchain("gcc-12", ["x86_64"])],
        ContainerRuntime = "podman",
        ContainerImages =
        [
            new ContainerImage(Image, [new Toolchain("gcc-12", ["x86_64"]), new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")]),
            new ContainerImage("localhost/kernelfarm-builder:trixie", [new Toolchain("gcc-14", ["x86_64"])]),
        ],
        ContainerDefaultCpus = 2,
        ContainerDefaultMemoryMb = 4096,
    };

    private static IReadOnlyList<ValidationError> Validate(BuildServer s) => ServerValidator.Validate(s, ArchitectureCatalog.Default);

    private static void AssertOnly(BuildServer s, string field)
    {
        var errors = Validate(s);
        Assert.True(errors.Count == 1 && errors[0].Field == field, $"expected only {field}: {string.Join("; ", errors)}");
    }

    [Fact]
    public void A_server_with_a_runtime_images_and_defaults_is_valid() => Assert.Empty(Validate(Server()));

    [Fact]
    public void A_server_without_containers_is_valid() =>
        Assert.Empty(Validate(Server() with { ContainerRuntime = null, ContainerImages = [], ContainerDefaultCpus = null, ContainerDefaultMemoryMb = null }));

    [Fact]
    public void A_server_may_have_its_toolchains_only_in_images() => Assert.Empty(Validate(Server() with { Toolchains = [] }));

    [Fact]
    public void A_server_with_no_toolchain_anywhere_is_refused() =>
        AssertOnly(Server() with { Toolchains = [], ContainerRuntime = null, ContainerImages = [] }, "toolchains");

    [Theory]
    [InlineData("lxc")]
    [InlineData("podman;reboot")]
    [InlineData("Docker")]
    [InlineData("")]
    public void Only_docker_and_podman_are_runtimes(string runtime) => AssertOnly(Server() with { ContainerRuntime = runtime }, "container_runtime");

    [Fact]
    public void Docker_is_a_runtime_too() => Assert.Empty(Validate(Server() with { ContainerRuntime = "docker" }));

    [Fact]
    public void Images_need_a_runtime() => AssertOnly(Server() with { ContainerRuntime = null }, "container_runtime");

    [Fact]
    public void A_runtime_needs_images() => AssertOnly(Server() with { ContainerImages = [] }, "container_images");

    [Fact]
    public void Images_must_be_a_list() => AssertOnly(Server() with { ContainerImages = null! }, "container_images");

    [Fact]
    public void An_unsafe_image_name_is_refused_by_index() =>
        AssertOnly(Server() with { ContainerImages = [new ContainerImage("x;reboot", [new Toolchain("gcc-12", ["x86_64"])])] }, "container_images[0].name");

    [Fact]
    public void An_image_declared_twice_is_refused()
    {
        var s = Server();
        AssertOnly(s with { ContainerImages = [s.ContainerImages[0], s.ContainerImages[0]] }, "container_images[1].name");
    }

    [Fact]
    public void An_image_without_toolchains_is_refused() =>
        AssertOnly(Server() with { ContainerImages = [new ContainerImage(Image, [])] }, "container_images[0].toolchains");

    [Fact]
    public void Image_toolchains_follow_the_host_toolchains_rules()
    {
        var errors = Validate(Server() with
        {
            ContainerImages = [new ContainerImage(Image, [new Toolchain("icc", ["sparc"], "x; y")])],
        });
        Assert.Equal(
            ["container_images[0].toolchains[0].cross_compile", "container_images[0].toolchains[0].name", "container_images[0].toolchains[0].target_architectures"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Default_limits_are_checked_like_a_jobs()
    {
        AssertOnly(Server() with { ContainerDefaultCpus = 0 }, "container_default_cpus");
        AssertOnly(Server() with { ContainerDefaultMemoryMb = 1 }, "container_default_memory_mb");
    }
}
