using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Plans;
using Xunit;

namespace KernelFarm.Tests.Plans;

public sealed class PlanTranslatorTests
{
    private static readonly PlanSource Source = new("git://127.0.0.1/linux.git", "master", null);

    private static readonly PlanCapabilities Servers = new(ArchitectureCatalog.Default, new Dictionary<string, IReadOnlyCollection<string>>
    {
        ["x86_64"] = ["gcc-12", "clang-14", "clang-16"],
        ["arm64"] = ["gcc-12", "clang-14"],
        ["riscv64"] = ["gcc-12"],
    });

    private static TuxPlanBuild Build(string arch = "x86_64", string toolchain = "gcc-12") =>
        new() { Path = "jobs[0].builds[3]", JobName = "j", TargetArch = arch, Toolchain = toolchain };

    [Fact]
    public void A_build_becomes_the_job_request_tuxmake_would_run()
    {
        var planned = PlanTranslator.Translate(Build("arm64", "clang-14") with
        {
            Kconfig = ["defconfig", "CONFIG_KASAN=y", "# CONFIG_DEBUG_INFO is not set", "kernel/configs/debug.config", "kvm_guest.config"],
            Targets = ["config", "kernel", "dtbs"],
            MakeVariables = new Dictionary<string, string> { ["LLVM"] = "1", ["LLVM_IAS"] = "1", ["W"] = "1" },
            Environment = new Dictionary<string, string> { ["KCFLAGS"] = "-Werror" },
            Tests = true,
        }, new PlanSource("git://127.0.0.1/linux.git", "v6.1", "0123456789abcdef0123456789abcdef01234567"), Servers);

        Assert.Null(planned.Unsupported);
        var r = planned.Request!;
        Assert.Equal(("git://127.0.0.1/linux.git", "v6.1", "0123456789abcdef0123456789abcdef01234567"), (r.SourceRepository, r.Branch, r.CommitHash));
        Assert.Equal(("arm64", "clang-14"), (r.TargetArchitecture, r.Toolchain));
        Assert.Equal("defconfig", r.BuildConfig.KernelConfig);
        Assert.Equal(["CONFIG_KASAN=y", "# CONFIG_DEBUG_INFO is not set", "kernel/configs/debug.config", "kvm_guest.config"], r.BuildConfig.KconfigFragments);
        Assert.Equal(["config", "kernel", "dtbs"], r.BuildConfig.Targets!);
        // LLVM=1 is what the farm sets for clang-14 (LLVM=-14); LLVM_IAS and W pass through
        Assert.Equal(new Dictionary<string, string> { ["LLVM_IAS"] = "1", ["W"] = "1" }, r.BuildConfig.MakeVariables);
        Assert.Equal("-Werror", r.BuildConfig.CustomEnv["KCFLAGS"]);
        Assert.True(r.BuildConfig.BootTest); // arm64 has a boot profile
        Assert.Equal("arm64 clang-14 defconfig+CONFIG_KASAN=y+# CONFIG_DEBUG_INFO is not set+kernel/configs/debug.config+kvm_guest.config", planned.Name);
    }

    [Fact]
    public void Defaults_leave_the_farms_defaults_and_riscv_is_the_catalogues_riscv64()
    {
        var r = PlanTranslator.Translate(Build("riscv") with { Targets = ["default"] }, Source, Servers).Request!;
        Assert.Equal("riscv64", r.TargetArchitecture);
        Assert.Null(r.BuildConfig.KernelConfig);
        Assert.Null(r.BuildConfig.Targets);
        Assert.False(r.BuildConfig.BootTest);
        Assert.Equal("HEAD", r.CommitHash);
    }

    [Theory]
    [InlineData("powerpc", "gcc-12", "architecture powerpc is not in the farm's catalogue")]
    [InlineData("arm64", "gcc-13", "no server offers gcc-13")]
    [InlineData("arm64", "clang-android", "not one the farm can map")]
    [InlineData("riscv", "clang-nightly", "no server offers clang or llvm")]
    public void A_build_no_server_can_ever_run_is_unsupported_with_the_reason(string arch, string toolchain, string reason)
    {
        var planned = PlanTranslator.Translate(Build(arch, toolchain), Source, Servers);
        Assert.Null(planned.Request);
        Assert.Contains(reason, planned.Unsupported!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fetched_kconfig_url_becomes_its_lines_and_one_that_failed_makes_the_build_unsupported()
    {
        var fetched = new Dictionary<string, FetchedKconfig>
        {
            ["https://cfg.example.org/a.config"] = new(["CONFIG_A=y", "# CONFIG_B is not set"], null),
            ["https://cfg.example.org/gone.config"] = new(null, "could not be fetched: HTTP 404"),
        };
        var ok = PlanTranslator.Translate(Build() with { Kconfig = ["tinyconfig", "CONFIG_X=y", "https://cfg.example.org/a.config", "CONFIG_C=m"] }, Source, Servers, fetched);
        Assert.Equal(["CONFIG_X=y", "CONFIG_A=y", "# CONFIG_B is not set", "CONFIG_C=m"], ok.Request!.BuildConfig.KconfigFragments);
        var gone = PlanTranslator.Translate(Build() with { Kconfig = ["tinyconfig", "https://cfg.example.org/gone.config"] }, Source, Servers, fetched);
        Assert.Equal("kconfig[1]: https://cfg.example.org/gone.config could not be fetched: HTTP 404", gone.Unsupported);
        Assert.Contains("not a URL", PlanTranslator.Translate(Build() with { Kconfig = ["https://cfg.example.org/a.config"] }, Source, Servers, fetched).Unsupported);
    }

    [Fact]
    public void What_the_farm_does_not_build_with_is_unsupported_too()
    {
        string? Why(TuxPlanBuild b) => PlanTranslator.Translate(b, Source, Servers).Unsupported;
        Assert.Contains("kselftest", Why(Build() with { Targets = ["kernel", "kselftest"] })!, StringComparison.Ordinal);
        Assert.Contains("was not fetched", Why(Build() with { Kconfig = ["defconfig", "https://example.invalid/x.config"] })!, StringComparison.Ordinal);
        Assert.Contains("LLVM=1", Why(Build("x86_64", "clang-16") with { MakeVariables = new Dictionary<string, string> { ["LLVM"] = "0" } })!, StringComparison.Ordinal);
        Assert.Contains("not an LLVM toolchain", Why(Build() with { MakeVariables = new Dictionary<string, string> { ["LLVM"] = "1" } })!, StringComparison.Ordinal);
        Assert.Contains("make_variables.CROSS_COMPILE", Why(Build() with { MakeVariables = new Dictionary<string, string> { ["CROSS_COMPILE"] = "x-" } })!, StringComparison.Ordinal);
        Assert.Contains("the farm builds bzImage", Why(Build() with { KernelImage = "vmlinuz.efi" })!, StringComparison.Ordinal);
        Assert.Null(Why(Build() with { KernelImage = "bzImage" }));
        Assert.Null(Why(Build("x86_64", "clang-16") with { MakeVariables = new Dictionary<string, string> { ["LD"] = "ld.lld", ["LLVM"] = "-16" } }));
    }

    [Theory]
    [InlineData("target_architecture", "jobs[0].builds[3].target_arch")]
    [InlineData("toolchain", "jobs[0].builds[3].toolchain")]
    [InlineData("build_config.kernel_config", "jobs[0].builds[3].kconfig[0]")]
    [InlineData("build_config.kconfig_fragments[0]", "jobs[0].builds[3].kconfig[1]")]
    [InlineData("build_config.kconfig_fragments[16]", "jobs[0].builds[3].kconfig[17]")]
    [InlineData("build_config.make_variables.W", "jobs[0].builds[3].make_variables.W")]
    [InlineData("build_config.targets[1]", "jobs[0].builds[3].targets[1]")]
    [InlineData("build_config.custom_env.FOO", "jobs[0].builds[3].environment.FOO")]
    [InlineData("branch", "git_ref")]
    [InlineData("source_repository", "git_repo")]
    public void A_problem_with_the_job_request_names_the_plans_field(string requestField, string planPath)
    {
        var build = Build() with { Kconfig = ["defconfig", "CONFIG_A=y"] };
        Assert.Equal(planPath, PlanTranslator.PathOf(build, requestField));
    }
}

public sealed class TuxToolchainsTests
{
    [Theory]
    [InlineData("gcc-12", "gcc-12")]
    [InlineData("korg-gcc-12", "gcc-12")]
    [InlineData("clang-14", "clang-14")]
    [InlineData("llvm-14", "clang-14")]   // the farm builds clang-N and llvm-N alike (LLVM=-N)
    [InlineData("korg-clang-16", "llvm-16")]
    [InlineData("clang-nightly", "llvm-16")] // the newest clang or llvm offered
    [InlineData("clang", "llvm-16")]
    [InlineData("gcc", "gcc-12")]
    public void Tuxsuite_names_map_to_what_servers_offer(string tux, string farm)
    {
        var (toolchain, reason) = TuxToolchains.Resolve(tux, ["gcc-11", "gcc-12", "clang-14", "llvm-16"]);
        Assert.Null(reason);
        Assert.Equal(farm, toolchain);
    }

    [Theory]
    [InlineData("clang-android")]
    [InlineData("rustgcc")]
    [InlineData("gcc-13")]
    [InlineData("clang-15")]
    [InlineData("gcc-12; rm -rf /")]
    public void Names_no_server_offers_have_a_reason(string tux)
    {
        var (toolchain, reason) = TuxToolchains.Resolve(tux, ["gcc-12", "clang-14"]);
        Assert.Null(toolchain);
        Assert.NotNull(reason);
    }
}
