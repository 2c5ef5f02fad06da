using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

/// <summary>A series request: an mbox or a range, on the server itself, the image only; each refusal names its field.</summary>
public sealed class SeriesRulesTests
{
    private static readonly JobRequestValidator Validator = new(new JobValidationPolicy(["/mnt/artifacts"], ArchitectureCatalog.Default));
    private static readonly string A = new('a', 40), B = new('b', 40);

    private const string OnePatch = "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nSubject: [PATCH] x\n\n---\ndiff --git a/x b/x\n";

    private static BuildJobRequest Request(SeriesRequest series, string commit = "HEAD", BuildConfig? config = null) => new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        CommitHash = commit,
        TargetArchitecture = "x86_64",
        BuildConfig = config ?? new BuildConfig { KernelConfig = "tinyconfig" },
        Series = series,
    };

    private static string[] Fields(BuildJobRequest r) => Validator.Validate(r).Select(e => e.Field).ToArray();

    [Fact]
    public void An_mbox_or_a_range_is_accepted()
    {
        Assert.Empty(Fields(Request(new SeriesRequest { Mbox = OnePatch })));
        Assert.Empty(Fields(Request(new SeriesRequest { Range = $"{A}..{B}" }, A, new BuildConfig { GitDepth = 0 })));
    }

    [Fact]
    public void Refusals_name_their_field()
    {
        Assert.Equal(["mbox"], Fields(Request(new SeriesRequest())));
        Assert.Equal(["mbox"], Fields(Request(new SeriesRequest { Mbox = OnePatch, Range = $"{A}..{B}" }, A, new BuildConfig { GitDepth = 0 })));
        Assert.Equal(["mbox"], Fields(Request(new SeriesRequest { Mbox = "hello\n" })));
        Assert.Equal(["mbox"], Fields(Request(new SeriesRequest { Mbox = new string('x', SeriesRules.MaxMboxBytes + 1) })));
        Assert.Equal(["mbox[1]"], Fields(Request(new SeriesRequest { Mbox = OnePatch.Replace("diff --git a/x b/x\n", "") })));
        Assert.Equal(["mbox"], Fields(Request(new SeriesRequest { Mbox = string.Concat(Enumerable.Repeat(OnePatch, SeriesRules.MaxPatches + 1)) })));
        Assert.Equal(["range"], Fields(Request(new SeriesRequest { Range = "HEAD~2..HEAD" })));
        Assert.Equal(["range"], Fields(Request(new SeriesRequest { Range = $"{A}..{A}" }, A, new BuildConfig { GitDepth = 0 })));
        Assert.Equal(["commit_hash"], Fields(Request(new SeriesRequest { Range = $"{A}..{B}" }, B, new BuildConfig { GitDepth = 0 })));
        Assert.Equal(["build_config.git_depth"], Fields(Request(new SeriesRequest { Range = $"{A}..{B}" }, A, new BuildConfig { GitDepth = 1 })));
        Assert.Equal(["build_config.container_image"], Fields(Request(new SeriesRequest { Mbox = OnePatch }, config: new BuildConfig { ContainerImage = "debian:12" })));
        Assert.Equal(["build_config.keep_workspace"], Fields(Request(new SeriesRequest { Mbox = OnePatch }, config: new BuildConfig { KeepWorkspace = true })));
        Assert.Equal(["build_config.targets"], Fields(Request(new SeriesRequest { Mbox = OnePatch }, config: new BuildConfig { Targets = ["kernel", "modules"] })));
    }
}
