using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

public sealed class JobRequestValidatorTests
{
    private static readonly JobRequestValidator Validator =
        new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));

    /// <summary>The seed's curl example.</summary>
    private static BuildJobRequest Valid() => new()
    {
        SourceRepository = "https://github.com/torvalds/linux",
        Branch = "master",
        CommitHash = "HEAD",
        TargetArchitecture = "x86_64",
        BuildConfig = new BuildConfig
        {
            KernelConfig = "defconfig",
            WorkspaceRoot = "/mnt/fast-storage/builds",
            OutputDirectory = "/mnt/artifacts",
            ExtraMakeArgs = ["-j16"],
            ArtifactPatterns = ["arch/x86/boot/bzImage", "vmlinux", "System.map"],
        },
    };

    private static BuildJobRequest WithConfig(Func<BuildConfig, BuildConfig> change)
    {
        var request = Valid();
        return request with { BuildConfig = change(request.BuildConfig) };
    }

    private static void AssertValid(BuildJobRequest request)
    {
        var errors = Validator.Validate(request);
        Assert.True(errors.Count == 0, "unexpected errors: " + string.Join("; ", errors));
    }

    private static ValidationError AssertOnlyError(BuildJobRequest request, string field)
    {
        var errors = Validator.Validate(request);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    // Values that must never get near a shell, used for most string fields.
    public static TheoryData<string> Hostile => new()
    {
        "master;rm -rf /",
        "$(touch /tmp/x)",
        "`touch /tmp/x`",
        "a\nb",
        "a\"b",
        "a'b",
        "../../etc/passwd",
        "-oProxyCommand=touch /tmp/x",
        "a|b",
        "a&b",
        "a>b",
    };

    [Fact]
    public void The_seed_example_is_valid() => AssertValid(Valid());

    [Fact]
    public void A_null_request_is_an_error() => Assert.Equal("request", Assert.Single(Validator.Validate(null)).Field);

    [Fact]
    public void A_fully_specified_request_is_valid()
    {
        var request = Valid() with
        {
            SourceRepository = "git@github.com:torvalds/linux.git",
            Branch = "feature/net-v6.8_rc1",
            CommitHash = "0123456789abcdefABCDEF0123456789abcdef01",
            TargetArchitecture = "arm64",
            Toolchain = "clang-17",
            Priority = -1000,
            BuildConfig = new BuildConfig
            {
                KernelConfig = "arch/arm64/configs/defconfig",
                KconfigFragments =
                [
                    "CONFIG_DEBUG_INFO=y", "CONFIG_X=m", "CONFIG_Y=n", "CONFIG_NR_CPUS=-1", "CONFIG_BASE=0x1F",
                    "CONFIG_LOCALVERSION=\"-farm build #1; ok\"", "# CONFIG_MODULES is not set",
                    "kernel/configs/kvm_guest.config", "debug.config",
                ],
                ExtraMakeArgs =
                [
                    "-j1", "-j4096", "-k", "--keep-going", "-s", "--silent", "V=0", "V=2", "W=1", "W=1,2,3", "W=12",
                    "vmlinux", "modules", "Image.gz", "dtbs_install", "C++x",
                    "KCFLAGS=-O2 -g", "LOCALVERSION=", "EXTRAVERSION=-rc1+x@y%z:1,2/3=4",
                ],
                CustomEnv = new Dictionary<string, string> { ["MY_KEY"] = "x", ["_k1"] = "", ["KFARM_TEST_ECHO"] = "hi" },
                WorkspaceRoot = "/mnt/fast-storage/builds",
                BuildDirectory = "/mnt/fast-storage/builds/job-1",
                OutputDirectory = "/mnt/artifacts/job-1",
                GitDepth = 0,
                ArtifactPatterns = ["arch/*/boot/*Image*", "*.ko", "lib/modules/?/x+y"],
            },
        };
        AssertValid(request);
    }

    [Fact]
    public void Null_optionals_are_valid()
    {
        AssertValid(WithConfig(c => c with
        {
            KernelConfig = null, WorkspaceRoot = null, BuildDirectory = null, OutputDirectory = null, ArtifactPatterns = null,
        }) with { Toolchain = null });
    }

    [Fact]
    public void Multiple_errors_are_reported_together()
    {
        var request = Valid() with
        {
            SourceRepository = "",
            Branch = "a..b",
            CommitHash = "xyz",
            TargetArchitecture = "sparc",
            Toolchain = "tcc",
            Priority = 5000,
            BuildConfig = new BuildConfig
            {
                KernelConfig = "/etc/passwd",
                KconfigFragments = ["CONFIG_X=y", "CONFIG_X=$(id)"],
                ExtraMakeArgs = ["-j16", "ARCH=arm", "-C", "SHELL=/bin/sh"],
                CustomEnv = new Dictionary<string, string> { ["PATH"] = "/tmp", ["OK"] = "1", ["BAD"] = "a\nb" },
                WorkspaceRoot = "relative",
                BuildDirectory = "/elsewhere/x",
                OutputDirectory = "/tmp/out",
                GitDepth = -1,
                ArtifactPatterns = ["../x", "vmlinux"],
            },
        };

        var fields = Validator.Validate(request).Select(e => e.Field).Order(StringComparer.Ordinal).ToArray();
        string[] expected =
        [
            "branch",
            "build_config.artifact_patterns[0]",
            "build_config.custom_env.BAD",
            "build_config.custom_env.PATH",
            "build_config.extra_make_args[1]",
            "build_config.extra_make_args[2]",
            "build_config.extra_make_args[3]",
            "build_config.git_depth",
            "build_config.kconfig_fragments[1]",
            "build_config.kernel_config",
            "build_config.output_directory",
            "build_config.workspace_root",
            "commit_hash",
            "priority",
            "source_repository",
            "target_architecture",
            "toolchain",
        ];
        Assert.Equal(expected, fields);
    }

    // ---------------------------------------------------------------- source_repository

    [Theory]
    [InlineData("https://github.com/torvalds/linux")]
    [InlineData("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git")]
    [InlineData("http://mirror.local:8080/linux.git")]
    [InlineData("git://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git")]
    [InlineData("ssh://git@git.example.com:2222/kernel/linux.git")]
    [InlineData("ssh://[::1]/linux.git")]
    [InlineData("file:///srv/git/linux.git")]
    [InlineData("git@github.com:torvalds/linux.git")]
    [InlineData("build.bot@git-server.example_1:/srv/git/linux.git")]
    public void Good_source_repositories_are_accepted(string value) =>
        AssertValid(Valid() with { SourceRepository = value });

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("https://github.com/torvalds/linux;id")]
    [InlineData("https://github.com/$(id)")]
    [InlineData("https://github.com/`id`")]
    [InlineData("https://github.com/torvalds/linux\n")]
    [InlineData("https://github.com/a b")]
    [InlineData("https://github.com/a\\b")]
    [InlineData("https://github.com/a<b")]
    [InlineData("-u")]
    [InlineData("--upload-pack=touch /tmp/x")]
    [InlineData("ext::sh -c touch% /tmp/x")]
    [InlineData("ext::sh")]
    [InlineData("ftp://example.com/linux.git")]
    [InlineData("fd::17")]
    [InlineData("ssh://-oProxyCommand=touch/x")]
    [InlineData("ssh://git@-evil/x")]
    [InlineData("ssh://host/-x")]
    [InlineData("https://user:password@github.com/x")]
    [InlineData("https://github.com:99999/x")]
    [InlineData("https://github.com")]
    [InlineData("file:///srv/../etc")]
    [InlineData("file://host/srv/git")]
    [InlineData("file:relative")]
    [InlineData("/srv/git/linux.git")]
    [InlineData("relative/linux")]
    [InlineData("git@-oProxyCommand=x:repo")]
    [InlineData("git@host:-x")]
    [InlineData("git@host:")]
    [InlineData("@host:path")]
    [InlineData("https://gïthub.com/x")]
    public void Hostile_source_repositories_name_source_repository(string value) =>
        AssertOnlyError(Valid() with { SourceRepository = value }, "source_repository");

    [Fact]
    public void Overlong_source_repository_is_refused() =>
        AssertOnlyError(Valid() with { SourceRepository = "https://github.com/" + new string('a', 2048) }, "source_repository");

    // ---------------------------------------------------------------- branch

    [Theory]
    [InlineData("master")]
    [InlineData("main")]
    [InlineData("linux-6.8.y")]
    [InlineData("feature/foo-bar_baz")]
    [InlineData("v6.8-rc1")]
    [InlineData("a@b")]
    [InlineData("a.lockx")]
    [InlineData("x+y=z,w")]
    public void Good_branches_are_accepted(string value) => AssertValid(Valid() with { Branch = value });

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\0b")]
    [InlineData("a\u007fb")]
    [InlineData("a~1")]
    [InlineData("a^")]
    [InlineData("a:b")]
    [InlineData("a?")]
    [InlineData("a*")]
    [InlineData("a[b")]
    [InlineData("a\\b")]
    [InlineData("a..b")]
    [InlineData("a@{1}")]
    [InlineData("@")]
    [InlineData("-b")]
    [InlineData("--orphan")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a.")]
    [InlineData("a.lock")]
    [InlineData("a.lock/b")]
    [InlineData("a//b")]
    [InlineData(".hidden")]
    [InlineData("a/.b")]
    [InlineData("a$b")]
    [InlineData("a(b)")]
    [InlineData("a<b")]
    public void Hostile_branches_name_branch(string value) => AssertOnlyError(Valid() with { Branch = value }, "branch");

    [Fact]
    public void Overlong_branch_is_refused()
    {
        AssertValid(Valid() with { Branch = new string('b', 255) });
        AssertOnlyError(Valid() with { Branch = new string('b', 256) }, "branch");
    }

    // ---------------------------------------------------------------- commit_hash

    [Theory]
    [InlineData("HEAD")]
    [InlineData("abcdef0")]
    [InlineData("ABCDEF0123456789")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Good_commit_hashes_are_accepted(string value) => AssertValid(Valid() with { CommitHash = value });

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("head")]
    [InlineData("HEAD~1")]
    [InlineData("abcdef")]
    [InlineData("abcdefg")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("abcdef0\n")]
    [InlineData("-abcdef0")]
    [InlineData("master")]
    public void Hostile_commit_hashes_name_commit_hash(string value) =>
        AssertOnlyError(Valid() with { CommitHash = value }, "commit_hash");

    // ---------------------------------------------------------------- target_architecture, toolchain, priority

    [Theory]
    [InlineData("x86_64")]
    [InlineData("i386")]
    [InlineData("arm64")]
    [InlineData("arm")]
    [InlineData("riscv64")]
    public void Every_catalog_architecture_is_accepted(string value) =>
        AssertValid(Valid() with { TargetArchitecture = value });

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("sparc")]
    [InlineData("X86_64")]
    [InlineData("-x86_64")]
    public void Unknown_architectures_name_target_architecture(string value)
    {
        var error = AssertOnlyError(Valid() with { TargetArchitecture = value }, "target_architecture");
        foreach (var name in ArchitectureCatalog.Default.Names)
        {
            Assert.Contains(name, error.Message);
        }
    }

    [Theory]
    [InlineData("gcc")]
    [InlineData("gcc-12")]
    [InlineData("clang")]
    [InlineData("clang-17")]
    [InlineData("llvm-999")]
    public void Good_toolchains_are_accepted(string value) => AssertValid(Valid() with { Toolchain = value });

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("tcc")]
    [InlineData("gcc-")]
    [InlineData("gcc-1000")]
    [InlineData("gcc-12\n")]
    [InlineData("-gcc")]
    [InlineData("/usr/bin/gcc")]
    [InlineData("GCC")]
    public void Hostile_toolchains_name_toolchain(string value) =>
        AssertOnlyError(Valid() with { Toolchain = value }, "toolchain");

    [Theory]
    [InlineData(-1000, true)]
    [InlineData(0, true)]
    [InlineData(1000, true)]
    [InlineData(-1001, false)]
    [InlineData(1001, false)]
    [InlineData(int.MaxValue, false)]
    [InlineData(int.MinValue, false)]
    public void Priority_is_bounded(int priority, bool valid)
    {
        var request = Valid() with { Priority = priority };
        if (valid)
        {
            AssertValid(request);
        }
        else
        {
            AssertOnlyError(request, "priority");
        }
    }

    [Fact]
    public void Null_build_config_is_an_error() =>
        AssertOnlyError(Valid() with { BuildConfig = null! }, "build_config");

    // JSON null for a list or map reaches the validator as a C# null (the property types are non-nullable
    // but System.Text.Json does not enforce that): a 400 naming the field, never a crash later on.
    [Fact]
    public void Null_kconfig_fragments_is_an_error() =>
        AssertOnlyError(WithConfig(c => c with { KconfigFragments = null! }), "build_config.kconfig_fragments");

    [Fact]
    public void Null_extra_make_args_is_an_error() =>
        AssertOnlyError(WithConfig(c => c with { ExtraMakeArgs = null! }), "build_config.extra_make_args");

    [Fact]
    public void Null_custom_env_is_an_error() =>
        AssertOnlyError(WithConfig(c => c with { CustomEnv = null! }), "build_config.custom_env");

    [Fact]
    public void All_null_collections_are_reported_together()
    {
        var errors = Validator.Validate(WithConfig(c => c with { KconfigFragments = null!, ExtraMakeArgs = null!, CustomEnv = null! }));
        Assert.Equal(
            ["build_config.custom_env", "build_config.extra_make_args", "build_config.kconfig_fragments"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("kconfig_fragments")]
    [InlineData("extra_make_args")]
    [InlineData("custom_env")]
    public void Json_null_collections_are_refused_by_field_name(string name)
    {
        var json = $$$"""{"source_repository":"https://github.com/torvalds/linux","target_architecture":"x86_64","build_config":{"{{{name}}}":null}}""";
        var request = System.Text.Json.JsonSerializer.Deserialize<BuildJobRequest>(json, KernelFarm.Messages.Serialization.FarmJson.Options);
        AssertOnlyError(request!, "build_config." + name);
    }

    [Fact]
    public void Omitted_collections_default_to_empty_and_are_valid()
    {
        const string json = """{"source_repository":"https://github.com/torvalds/linux","target_architecture":"x86_64","build_config":{}}""";
        var request = System.Text.Json.JsonSerializer.Deserialize<BuildJobRequest>(json, KernelFarm.Messages.Serialization.FarmJson.Options)!;
        Assert.Empty(request.BuildConfig.KconfigFragments);
        Assert.Empty(request.BuildConfig.ExtraMakeArgs);
        Assert.Empty(request.BuildConfig.CustomEnv);
        AssertValid(request);
    }

    [Fact]
    public void Empty_collections_are_valid() =>
        AssertValid(WithConfig(c => c with { KconfigFragments = [], ExtraMakeArgs = [], CustomEnv = new Dictionary<string, string>() }));

    // ---------------------------------------------------------------- timeout_minutes

    [Theory]
    [InlineData(null, true)]
    [InlineData(1, true)]
    [InlineData(120, true)]
    [InlineData(10080, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(10081, false)]
    [InlineData(int.MaxValue, false)]
    [InlineData(int.MinValue, false)]
    public void Timeout_minutes_is_null_or_between_a_minute_and_a_week(int? minutes, bool valid)
    {
        var request = WithConfig(c => c with { TimeoutMinutes = minutes });
        if (valid)
        {
            AssertValid(request);
        }
        else
        {
            AssertOnlyError(request, "build_config.timeout_minutes");
        }
    }

    // ---------------------------------------------------------------- kernel_config

    [Theory]
    [InlineData("defconfig")]
    [InlineData("tinyconfig")]
    [InlineData("allnoconfig")]
    [InlineData("x86_64_defconfig")]
    [InlineData("multi_v7_defconfig")]
    [InlineData("kvm_guest.config")]
    [InlineData("arch/x86/configs/x86_64_defconfig")]
    [InlineData("configs/my.cfg")]
    public void Good_kernel_configs_are_accepted(string value) =>
        AssertValid(WithConfig(c => c with { KernelConfig = value }));

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("defconfig;id")]
    [InlineData("$(id)config")]
    [InlineData("-config")]
    [InlineData(".config")]
    [InlineData("defconfig\n")]
    [InlineData("vmlinux")]
    [InlineData("/etc/passwd")]
    [InlineData("/boot/config-6.8")]
    [InlineData("../config")]
    [InlineData("arch/../../x")]
    [InlineData("arch//x86")]
    [InlineData("arch/x86 configs")]
    public void Hostile_kernel_configs_name_kernel_config(string value) =>
        AssertOnlyError(WithConfig(c => c with { KernelConfig = value }), "build_config.kernel_config");

    // ---------------------------------------------------------------- kconfig_fragments

    [Theory]
    [InlineData("CONFIG_DEBUG_INFO=y")]
    [InlineData("CONFIG_FOO=m")]
    [InlineData("CONFIG_FOO=n")]
    [InlineData("CONFIG_NR_CPUS=64")]
    [InlineData("CONFIG_X=-5")]
    [InlineData("CONFIG_X=0xdeadBEEF")]
    [InlineData("CONFIG_LOCALVERSION=\"\"")]
    [InlineData("CONFIG_CMDLINE=\"console=ttyS0 a;b 'q' (x) | & < >\"")]
    [InlineData("# CONFIG_MODULES is not set")]
    [InlineData("kernel/configs/debug.config")]
    [InlineData("my.config")]
    [InlineData("kvm_guest.config")]
    [InlineData("x86_debug.config")]
    public void Good_kconfig_fragments_are_accepted(string value) =>
        AssertValid(WithConfig(c => c with { KconfigFragments = ["CONFIG_OK=y", value] }));

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("CONFIG_X=y;id")]
    [InlineData("CONFIG_X=$(id)")]
    [InlineData("CONFIG_X=`id`")]
    [InlineData("CONFIG_X=y\nCONFIG_Y=y")]
    [InlineData("CONFIG_X=y\n")]
    [InlineData("CONFIG_X=\"a\"b\"")]
    [InlineData("CONFIG_X=\"a\\\"")]
    [InlineData("CONFIG_X=\"$(id)\"")]
    [InlineData("CONFIG_X=\"`id`\"")]
    [InlineData("CONFIG_X=\"a\nb\"")]
    [InlineData("CONFIG_X=\"unterminated")]
    [InlineData("CONFIG_X='y'")]
    [InlineData("CONFIG_X=yes")]
    [InlineData("CONFIG_X=")]
    [InlineData("CONFIG_=y")]
    [InlineData("CONFIG_X-Y=y")]
    [InlineData("config_x=y")]
    [InlineData("FOO=y")]
    [InlineData(" CONFIG_X=y")]
    [InlineData("# CONFIG_X is not set; id")]
    [InlineData("#CONFIG_X is not set")]
    [InlineData("/etc/passwd")]
    [InlineData("../../x.config")]
    [InlineData("-x.config")]
    [InlineData("kernel//configs/x.config")]
    [InlineData("plain")]
    // a fragment target is one make goal: nothing make could read as a variable, an option or a second goal
    [InlineData("CC=x.config")]
    [InlineData("O=x.config")]
    [InlineData("a b.config")]
    [InlineData("$(id).config")]
    [InlineData(".config")]
    [InlineData("--eval=x.config")]
    [InlineData("x.config;id")]
    public void Hostile_kconfig_fragments_name_the_entry(string value) =>
        AssertOnlyError(WithConfig(c => c with { KconfigFragments = ["CONFIG_OK=y", value] }), "build_config.kconfig_fragments[1]");

    [Fact]
    public void Too_many_kconfig_fragments_are_refused()
    {
        AssertValid(WithConfig(c => c with { KconfigFragments = Enumerable.Repeat("CONFIG_X=y", 1000).ToArray() }));
        AssertOnlyError(WithConfig(c => c with { KconfigFragments = Enumerable.Repeat("CONFIG_X=y", 1001).ToArray() }),
            "build_config.kconfig_fragments");
    }

    // ---------------------------------------------------------------- extra_make_args

    [Theory]
    [InlineData("-j1")]
    [InlineData("-j4096")]
    [InlineData("-k")]
    [InlineData("--keep-going")]
    [InlineData("-s")]
    [InlineData("--silent")]
    [InlineData("V=0")]
    [InlineData("V=1")]
    [InlineData("V=2")]
    [InlineData("W=1")]
    [InlineData("W=1,2")]
    [InlineData("W=123")]
    [InlineData("vmlinux")]
    [InlineData("bzImage")]
    [InlineData("modules")]
    [InlineData("dtbs")]
    [InlineData("headers_install")]
    [InlineData("KCFLAGS=-Wno-error -O2")]
    [InlineData("LOCALVERSION=-farm")]
    [InlineData("LOCALVERSION=")]
    [InlineData("C=1")]
    [InlineData("KBUILD_EXTRA=a/b:c,d+e@f%g=h")]
    public void Good_make_args_are_accepted(string value) =>
        AssertValid(WithConfig(c => c with { ExtraMakeArgs = ["-j16", value] }));

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("-j0")]
    [InlineData("-j4097")]
    [InlineData("-j")]
    [InlineData("-j 4")]
    [InlineData("-jx")]
    [InlineData("-C")]
    [InlineData("-C/etc")]
    [InlineData("-f")]
    [InlineData("-f/tmp/evil.mk")]
    [InlineData("--file=/tmp/evil.mk")]
    [InlineData("--eval=$(shell id)")]
    [InlineData("--eval=all:")]
    [InlineData("-e")]
    [InlineData("-n")]
    [InlineData("-I/tmp")]
    [InlineData("--include-dir=/tmp")]
    [InlineData("-o")]
    [InlineData("V=3")]
    [InlineData("V=")]
    [InlineData("W=4")]
    [InlineData("W=1,")]
    [InlineData("W=e")]
    [InlineData("KCFLAGS=$(shell id)")]
    [InlineData("KCFLAGS=`id`")]
    [InlineData("KCFLAGS=a;b")]
    [InlineData("KCFLAGS='x'")]
    [InlineData("KCFLAGS=\"x\"")]
    [InlineData("KCFLAGS=a\nb")]
    [InlineData("KCFLAGS=a\\b")]
    [InlineData("KCFLAGS=a#b")]
    [InlineData("1KEY=x")]
    [InlineData("K-EY=x")]
    [InlineData("KEY:=x")]
    [InlineData("KEY+=x")]
    [InlineData("=x")]
    [InlineData("vmlinux;id")]
    [InlineData("vmlinux\n")]
    public void Hostile_make_args_name_the_entry(string value) =>
        AssertOnlyError(WithConfig(c => c with { ExtraMakeArgs = ["-j16", value] }), "build_config.extra_make_args[1]");

    [Theory]
    [InlineData("O=/tmp/out")]
    [InlineData("ARCH=arm64")]
    [InlineData("CROSS_COMPILE=aarch64-linux-gnu-")]
    [InlineData("KBUILD_OUTPUT=/tmp")]
    [InlineData("INSTALL_MOD_PATH=/")]
    [InlineData("INSTALL_DTBS_PATH=/")]
    [InlineData("INSTALL_HDR_PATH=/")]
    [InlineData("INSTALL_PATH=/boot")]
    [InlineData("LLVM=1")]
    [InlineData("CC=clang")]
    [InlineData("HOSTCC=gcc")]
    [InlineData("LD=ld.bfd")]
    [InlineData("KBUILD_BUILD_TIMESTAMP=0")]
    [InlineData("KBUILD_BUILD_USER=me")]
    [InlineData("KBUILD_BUILD_HOST=box")]
    [InlineData("MAKEFLAGS=-j1")]
    [InlineData("SHELL=/bin/sh")]
    [InlineData("CONFIG_SHELL=/bin/sh")]
    [InlineData("arch=arm64")]
    public void Reserved_make_variables_are_refused(string value)
    {
        var error = AssertOnlyError(WithConfig(c => c with { ExtraMakeArgs = [value] }), "build_config.extra_make_args[0]");
        Assert.Contains("set by the farm", error.Message);
    }

    [Theory]
    [InlineData("ARCH=arm64")]
    [InlineData("CROSS_COMPILE=aarch64-linux-gnu-")]
    public void Reserved_arch_and_cross_compile_point_at_the_right_fields(string value)
    {
        var error = AssertOnlyError(WithConfig(c => c with { ExtraMakeArgs = [value] }), "build_config.extra_make_args[0]");
        Assert.Contains("target_architecture", error.Message);
        Assert.Contains("toolchain", error.Message);
    }

    [Fact]
    public void Too_many_make_args_are_refused()
    {
        AssertValid(WithConfig(c => c with { ExtraMakeArgs = Enumerable.Repeat("-k", 64).ToArray() }));
        AssertOnlyError(WithConfig(c => c with { ExtraMakeArgs = Enumerable.Repeat("-k", 65).ToArray() }),
            "build_config.extra_make_args");
    }

    // ---------------------------------------------------------------- custom_env

    private static BuildJobRequest WithEnv(string key, string value) =>
        WithConfig(c => c with { CustomEnv = new Dictionary<string, string> { [key] = value } });

    [Theory]
    [InlineData("MY_KEY", "value")]
    [InlineData("_x", "")]
    [InlineData("KCFLAGS", "-O2 -g")]
    [InlineData("MY_KEY", "a;b $(c) 'd'")]
    [InlineData("MY_KEY", "`id` | & < > \" \\ $HOME * ? ~ # \t")]
    [InlineData("KFARM_TEST_ECHO", "a;b $(c) 'd'")]
    public void Good_custom_env_entries_are_accepted(string key, string value) => AssertValid(WithEnv(key, value));

    [Fact]
    public void Shell_metacharacters_in_env_values_are_accepted() => AssertValid(WithEnv("MY_KEY", "a;b $(c) 'd'"));

    [Theory]
    [InlineData("MY_KEY", "a\nb")]
    [InlineData("MY_KEY", "a\rb")]
    [InlineData("MY_KEY", "a\0b")]
    [InlineData("MY_KEY", "trailing\n")]
    public void Env_values_with_line_breaks_or_nul_are_refused(string key, string value) =>
        AssertOnlyError(WithEnv(key, value), "build_config.custom_env." + key);

    [Fact]
    public void Overlong_env_value_is_refused()
    {
        AssertValid(WithEnv("MY_KEY", new string('v', 4096)));
        AssertOnlyError(WithEnv("MY_KEY", new string('v', 4097)), "build_config.custom_env.MY_KEY");
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("1KEY")]
    [InlineData("MY-KEY")]
    [InlineData("MY KEY")]
    [InlineData("KEY=x")]
    [InlineData("-KEY")]
    [InlineData("KÉY")]
    public void Hostile_env_keys_name_the_entry(string key) =>
        AssertOnlyError(WithEnv(key, "v"), "build_config.custom_env." + key);

    [Fact]
    public void Env_keys_are_limited_to_128_characters()
    {
        AssertValid(WithEnv("K" + new string('x', 127), "v"));
        var longKey = "K" + new string('x', 128);
        AssertOnlyError(WithEnv(longKey, "v"), "build_config.custom_env." + longKey);
    }

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("SHELL")]
    [InlineData("IFS")]
    [InlineData("ENV")]
    [InlineData("BASH_ENV")]
    [InlineData("BASHOPTS")]
    [InlineData("SHELLOPTS")]
    [InlineData("PS4")]
    [InlineData("PROMPT_COMMAND")]
    [InlineData("LD_PRELOAD")]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("O")]
    [InlineData("ARCH")]
    [InlineData("CROSS_COMPILE")]
    [InlineData("KBUILD_OUTPUT")]
    [InlineData("MAKEFLAGS")]
    [InlineData("KFARM_")]
    [InlineData("KFARM_JOB_ID")]
    [InlineData("KFARM_TEST_ECHO2")]
    [InlineData("Path")]
    // git reads these as configuration and commands: they would rewrite the validated clone
    [InlineData("GIT_")]
    [InlineData("GIT_SSH_COMMAND")]
    [InlineData("GIT_SSH")]
    [InlineData("GIT_CONFIG_COUNT")]
    [InlineData("GIT_CONFIG_KEY_0")]
    [InlineData("GIT_CONFIG_VALUE_0")]
    [InlineData("GIT_CONFIG_GLOBAL")]
    [InlineData("GIT_PROXY_COMMAND")]
    [InlineData("GIT_EXEC_PATH")]
    [InlineData("GIT_DIR")]
    [InlineData("GIT_ASKPASS")]
    [InlineData("git_ssh_command")]
    // the dynamic loader's whole family
    [InlineData("LD_")]
    [InlineData("LD_AUDIT")]
    [InlineData("LD_BIND_NOW")]
    [InlineData("LD_DEBUG_OUTPUT")]
    [InlineData("ld_preload")]
    // bash's whole family
    [InlineData("BASH_")]
    [InlineData("BASH_XTRACEFD")]
    [InlineData("BASH_LOADABLES_PATH")]
    [InlineData("BASH_FUNC_make")]
    [InlineData("Bash_Env")]
    // the farm's namespace, in any case
    [InlineData("kfarm_job_id")]
    [InlineData("kfarm_test_echo")]
    [InlineData("KFARM_TEST_ECHO_")]
    // make's environment options and makefiles
    [InlineData("GNUMAKEFLAGS")]
    [InlineData("MFLAGS")]
    [InlineData("MAKEFILES")]
    [InlineData("MAKELEVEL")]
    [InlineData("MAKEOVERRIDES")]
    [InlineData("makeflags")]
    // bash options that change the farm's own script
    [InlineData("CDPATH")]
    [InlineData("GLOBIGNORE")]
    [InlineData("POSIXLY_CORRECT")]
    public void Reserved_env_keys_are_refused(string key)
    {
        var error = AssertOnlyError(WithEnv(key, "x"), "build_config.custom_env." + key);
        Assert.Contains("reserved", error.Message);
    }

    [Theory]
    [InlineData("GIT")]
    [InlineData("GITHUB_SHA")]
    [InlineData("MY_GIT_DIR")]
    [InlineData("LD")]
    [InlineData("LDFLAGS")]
    [InlineData("MY_LD_PRELOAD")]
    [InlineData("BASH")]
    [InlineData("BASHRC_X")]
    [InlineData("KFARM")]
    [InlineData("KFARMX")]
    [InlineData("MAKE_OPTS")]
    [InlineData("MAKEFILE")]
    public void Keys_that_only_look_like_a_reserved_family_are_accepted(string key) => AssertValid(WithEnv(key, "x"));

    [Fact]
    public void Reserved_prefixes_are_the_documented_families() =>
        Assert.Equal(["BASH_", "GIT_", "KFARM_", "LD_"], JobRequestValidator.ReservedEnvPrefixes.Order(StringComparer.Ordinal));

    [Fact]
    public void Every_reserved_env_key_is_refused()
    {
        foreach (var key in JobRequestValidator.ReservedEnvKeys)
        {
            var error = AssertOnlyError(WithEnv(key, "x"), "build_config.custom_env." + key);
            Assert.Contains("reserved", error.Message);
        }
    }

    [Fact]
    public void Reserved_env_keys_are_all_reported_among_good_ones()
    {
        var env = new Dictionary<string, string> { ["GIT_SSH_COMMAND"] = "x", ["OK_1"] = "x", ["LD_BIND_NOW"] = "1", ["MAKELEVEL"] = "0", ["KFARM_TEST_ECHO"] = "y" };
        var errors = Validator.Validate(WithConfig(c => c with { CustomEnv = env }));
        Assert.Equal(
            ["build_config.custom_env.GIT_SSH_COMMAND", "build_config.custom_env.LD_BIND_NOW", "build_config.custom_env.MAKELEVEL"],
            errors.Select(e => e.Field));
    }

    [Fact]
    public void Too_many_env_entries_are_refused()
    {
        var ok = Enumerable.Range(0, 64).ToDictionary(i => $"K{i}", _ => "v");
        AssertValid(WithConfig(c => c with { CustomEnv = ok }));
        var tooMany = Enumerable.Range(0, 65).ToDictionary(i => $"K{i}", _ => "v");
        AssertOnlyError(WithConfig(c => c with { CustomEnv = tooMany }), "build_config.custom_env");
    }

    // ---------------------------------------------------------------- directories

    public static TheoryData<string> HostileAbsolutePaths => new()
    {
        "",
        "/",
        "relative/dir",
        "builds",
        "-rf",
        "/mnt/a;id",
        "/mnt/$(touch /tmp/x)",
        "/mnt/`id`",
        "/mnt/a\nb",
        "/mnt/a'b",
        "/mnt/a\"b",
        "/mnt/a b",
        "/mnt/../etc",
        "/mnt/./x",
        "/mnt//x",
        "/mnt/x/",
        "~/builds",
    };

    [Theory]
    [MemberData(nameof(HostileAbsolutePaths))]
    public void Hostile_workspace_roots_name_workspace_root(string value) =>
        AssertOnlyError(WithConfig(c => c with { WorkspaceRoot = value }), "build_config.workspace_root");

    [Theory]
    [MemberData(nameof(HostileAbsolutePaths))]
    public void Hostile_build_directories_name_build_directory(string value) =>
        AssertOnlyError(WithConfig(c => c with { BuildDirectory = value }), "build_config.build_directory");

    [Theory]
    [InlineData("/mnt/fast-storage/builds", "/mnt/fast-storage/builds/job-1", true)]
    [InlineData("/mnt/fast-storage/builds", "/mnt/fast-storage/builds/a/b", true)]
    [InlineData("/mnt/fast-storage/builds", "/mnt/fast-storage/builds", true)]
    [InlineData("/mnt/fast-storage/builds", "/mnt/fast-storage/builds2/job-1", false)]
    [InlineData("/mnt/fast-storage/builds", "/mnt/fast-storage", false)]
    [InlineData("/mnt/fast-storage/builds", "/etc", false)]
    [InlineData(null, "/anywhere/job-1", true)]
    public void Build_directory_must_be_within_workspace_root(string? root, string dir, bool valid)
    {
        var request = WithConfig(c => c with { WorkspaceRoot = root, BuildDirectory = dir });
        if (valid)
        {
            AssertValid(request);
        }
        else
        {
            AssertOnlyError(request, "build_config.build_directory");
        }
    }

    [Theory]
    [MemberData(nameof(HostileAbsolutePaths))]
    [InlineData("/tmp/out")]
    [InlineData("/mnt/artifacts2")]
    [InlineData("/mnt")]
    [InlineData("/mnt/artifacts/../etc")]
    public void Hostile_output_directories_name_output_directory(string value) =>
        AssertOnlyError(WithConfig(c => c with { OutputDirectory = value }), "build_config.output_directory");

    [Fact]
    public void Output_directory_error_lists_the_allowed_roots()
    {
        var validator = new JobRequestValidator(new JobValidationPolicy(["/mnt/artifacts", "/srv/out"], ArchitectureCatalog.Default));
        var error = Assert.Single(validator.Validate(WithConfig(c => c with { OutputDirectory = "/tmp/x" })));
        Assert.Equal("build_config.output_directory", error.Field);
        Assert.Contains("/mnt/artifacts", error.Message);
        Assert.Contains("/srv/out", error.Message);
        Assert.Empty(validator.Validate(WithConfig(c => c with { OutputDirectory = "/srv/out/job-9" })));
    }

    [Fact]
    public void With_no_allowed_roots_only_a_null_output_directory_passes()
    {
        var validator = new JobRequestValidator(new JobValidationPolicy([], ArchitectureCatalog.Default));
        Assert.Empty(validator.Validate(WithConfig(c => c with { OutputDirectory = null })));
        Assert.Equal("build_config.output_directory",
            Assert.Single(validator.Validate(WithConfig(c => c with { OutputDirectory = "/mnt/artifacts" }))).Field);
    }

    [Theory]
    [InlineData("/mnt/artifacts/0197a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")] // another job's folder (the measured attack)
    [InlineData("/mnt/artifacts/.staging")]
    [InlineData("/mnt/artifacts/team-a/.staging")]
    [InlineData("/srv/out/0197a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")]
    [InlineData("/srv/out/.logs")]
    public void Output_directory_inside_storage_or_naming_a_job_folder_names_output_directory(string value)
    {
        var validator = new JobRequestValidator(new JobValidationPolicy(["/mnt/artifacts", "/srv/out"], ArchitectureCatalog.Default)
        {
            StoragePath = "/mnt/artifacts",
        });
        var error = Assert.Single(validator.Validate(WithConfig(c => c with { OutputDirectory = value })));
        Assert.Equal("build_config.output_directory", error.Field);
        Assert.Empty(validator.Validate(WithConfig(c => c with { OutputDirectory = "/mnt/artifacts" })));
        Assert.Empty(validator.Validate(WithConfig(c => c with { OutputDirectory = "/mnt/artifacts/team-a" })));
        Assert.Empty(validator.Validate(WithConfig(c => c with { OutputDirectory = "/srv/out/nightly" })));
    }

    // ---------------------------------------------------------------- git_depth

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(1_000_000, true)]
    [InlineData(-1, false)]
    [InlineData(1_000_001, false)]
    [InlineData(int.MinValue, false)]
    public void Git_depth_is_bounded(int depth, bool valid)
    {
        var request = WithConfig(c => c with { GitDepth = depth });
        if (valid)
        {
            AssertValid(request);
        }
        else
        {
            AssertOnlyError(request, "build_config.git_depth");
        }
    }

    // ---------------------------------------------------------------- artifact_patterns

    [Theory]
    [InlineData("vmlinux")]
    [InlineData("System.map")]
    [InlineData("arch/*/boot/bzImage")]
    [InlineData("*.ko")]
    [InlineData("**/*.dtb")]
    [InlineData("lib/modules/?.x+y-z_w")]
    public void Good_artifact_patterns_are_accepted(string value) =>
        AssertValid(WithConfig(c => c with { ArtifactPatterns = ["vmlinux", value] }));

    [Theory]
    [MemberData(nameof(Hostile))]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("/*")]
    [InlineData("..")]
    [InlineData("../*")]
    [InlineData("a/../../b")]
    [InlineData("./vmlinux")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("-name")]
    [InlineData("*;id")]
    [InlineData("$(id)")]
    [InlineData("a b")]
    [InlineData("[ab]")]
    [InlineData("{a,b}")]
    [InlineData("a\\b")]
    public void Hostile_artifact_patterns_name_the_entry(string value) =>
        AssertOnlyError(WithConfig(c => c with { ArtifactPatterns = ["vmlinux", value] }), "build_config.artifact_patterns[1]");

    [Fact]
    public void Artifact_pattern_limits()
    {
        AssertValid(WithConfig(c => c with { ArtifactPatterns = [new string('a', 255)] }));
        AssertOnlyError(WithConfig(c => c with { ArtifactPatterns = [new string('a', 256)] }), "build_config.artifact_patterns[0]");
        AssertValid(WithConfig(c => c with { ArtifactPatterns = Enumerable.Repeat("vmlinux", 64).ToArray() }));
        AssertOnlyError(WithConfig(c => c with { ArtifactPatterns = Enumerable.Repeat("vmlinux", 65).ToArray() }),
            "build_config.artifact_patterns");
    }
}
