using KernelFarm.Actors.Jobs.Reuse;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Jobs.Reuse;

public sealed class ReuseKeyTests
{
    private const string Gcc = "gcc (Debian 12.2.0-14) 12.2.0";
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    internal static BuildJobRequest Request() => new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        CommitHash = Commit,
        TargetArchitecture = "arm64",
        Toolchain = "gcc-12",
        SubmittedBy = "ci",
        BuildConfig = new BuildConfig
        {
            KernelConfig = "defconfig",
            KconfigFragments = ["CONFIG_DEBUG_KERNEL=y"],
            MakeVariables = new Dictionary<string, string> { ["W"] = "1", ["LLVM_IAS"] = "0" },
            CustomEnv = new Dictionary<string, string> { ["KCFLAGS"] = "-O2" },
        },
    };

    [Fact]
    public void Equal_inputs_give_the_same_key_and_the_order_of_maps_does_not_matter()
    {
        var a = Request();
        var b = Request() with
        {
            BuildConfig = a.BuildConfig with { MakeVariables = new Dictionary<string, string> { ["LLVM_IAS"] = "0", ["W"] = "1" } },
            CommitHash = Commit.ToUpperInvariant(),
            // what does not change the bytes built is not in the key
            Priority = 7, Branch = "stable", Webhooks = [new Webhook { Url = "https://ci.example.org/hook" }],
        };
        var key = ReuseKey.Of(a, Gcc);
        Assert.StartsWith("v1:", key);
        Assert.Equal(key, ReuseKey.Of(b, Gcc));
        Assert.Equal(key, ReuseKey.Of(a with { BuildConfig = a.BuildConfig with { TimeoutMinutes = 5, KeepWorkspace = true, Ccache = false, OutputDirectory = "/srv/out" } }, Gcc));
    }

    public static TheoryData<string> Changes =>
    [
        "repository", "commit", "submitter", "architecture", "toolchain", "compiler", "config", "fragments", "fragment order", "targets",
        "modules", "dtbs", "make variable", "make args", "env value", "git depth", "submodules", "artifact patterns", "boot test",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Every_input_that_can_change_the_build_changes_the_key(string change)
    {
        var r = Request();
        var c = r.BuildConfig;
        var compiler = Gcc;
        var changed = change switch
        {
            "repository" => r with { SourceRepository = "https://git.example.org/other.git" },
            "commit" => r with { CommitHash = "1123456789abcdef0123456789abcdef01234567" },
            "submitter" => r with { SubmittedBy = "someone-else" },
            "architecture" => r with { TargetArchitecture = "arm" },
            "toolchain" => r with { Toolchain = "gcc" },
            "compiler" => (compiler = "gcc (Debian 12.2.0-15) 12.2.0") is not null ? r : r,
            "config" => r with { BuildConfig = c with { KernelConfig = "tinyconfig" } },
            "fragments" => r with { BuildConfig = c with { KconfigFragments = ["CONFIG_DEBUG_KERNEL=n"] } },
            "fragment order" => r with { BuildConfig = c with { KconfigFragments = ["CONFIG_A=y", "CONFIG_DEBUG_KERNEL=y"] } },
            "targets" => r with { BuildConfig = c with { Targets = ["config", "kernel"] } },
            "modules" => r with { BuildConfig = c with { EnableModules = false } },
            "dtbs" => r with { BuildConfig = c with { BuildDtbs = false } },
            "make variable" => r with { BuildConfig = c with { MakeVariables = new Dictionary<string, string> { ["W"] = "2", ["LLVM_IAS"] = "0" } } },
            "make args" => r with { BuildConfig = c with { ExtraMakeArgs = ["-k"] } },
            "env value" => r with { BuildConfig = c with { CustomEnv = new Dictionary<string, string> { ["KCFLAGS"] = "-O3" } } },
            "git depth" => r with { BuildConfig = c with { GitDepth = 0 } },
            "submodules" => r with { BuildConfig = c with { GitSubmodules = true } },
            "artifact patterns" => r with { BuildConfig = c with { ArtifactPatterns = ["vmlinux"] } },
            "boot test" => r with { BuildConfig = c with { BootTest = true } },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.NotEqual(ReuseKey.Of(r, Gcc), ReuseKey.Of(changed, compiler));
    }

    [Theory]
    [InlineData("HEAD", "commit_hash")]
    [InlineData("v6.1", "commit_hash")]
    [InlineData("0123456", "commit_hash")]
    public void A_commit_that_is_not_a_full_id_makes_no_key(string commit, string named)
    {
        var r = Request() with { CommitHash = commit };
        Assert.Contains(named, ReuseKey.Ineligible(r));
        Assert.Null(ReuseKey.Of(r, Gcc));
    }

    [Fact]
    public void No_toolchain_a_container_image_or_an_unknown_compiler_make_no_key()
    {
        Assert.Null(ReuseKey.Of(Request() with { Toolchain = null }, Gcc));
        Assert.Null(ReuseKey.Of(Request() with { BuildConfig = Request().BuildConfig with { ContainerImage = "localhost/builder:1" } }, Gcc));
        Assert.Null(ReuseKey.Of(Request(), null));
        Assert.Null(ReuseKey.Of(Request(), ""));
        Assert.Null(ReuseKey.Ineligible(Request()));
        Assert.Null(ReuseKey.Ineligible(Request() with { CommitHash = new string('a', 64) })); // a SHA-256 repository
    }
}
