using KernelFarm.Actors.Validation;
using Xunit;

namespace KernelFarm.Tests.Validation;

public sealed class SafePathTests
{
    [Theory]
    [InlineData("/mnt/fast-storage/builds")]
    [InlineData("/a")]
    [InlineData("/srv/kernel_farm/job-42/linux.v6.8")]
    [InlineData("/a/..b/c..")]
    public void Safe_absolute_paths_are_accepted(string path) => Assert.True(SafePath.IsSafeAbsolute(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("relative/path")]
    [InlineData("/a/../etc")]
    [InlineData("/a/./b")]
    [InlineData("/a/..")]
    [InlineData("/a//b")]
    [InlineData("/a/b/")]
    [InlineData("/a b")]
    [InlineData("/a;b")]
    [InlineData("/a/$(touch /tmp/x)")]
    [InlineData("/a/`id`")]
    [InlineData("/a\nb")]
    [InlineData("/a'b")]
    [InlineData("/a\\b")]
    [InlineData("/ä")]
    [InlineData("~/x")]
    public void Unsafe_absolute_paths_are_refused(string? path) => Assert.False(SafePath.IsSafeAbsolute(path));

    [Fact]
    public void Absolute_paths_longer_than_255_are_refused()
    {
        Assert.True(SafePath.IsSafeAbsolute("/" + new string('a', 254)));
        Assert.False(SafePath.IsSafeAbsolute("/" + new string('a', 255)));
    }

    [Theory]
    [InlineData("arch/x86/configs/x86_64_defconfig")]
    [InlineData("kernel/configs/kvm_guest.config")]
    [InlineData("a")]
    [InlineData("a-b/c_d.e")]
    public void Safe_relative_paths_are_accepted(string path) => Assert.True(SafePath.IsSafeRelative(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("./a")]
    [InlineData("a/.")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("-rf")]
    [InlineData("a;b")]
    [InlineData("a b")]
    [InlineData("$(touch /tmp/x)")]
    [InlineData("a\nb")]
    public void Unsafe_relative_paths_are_refused(string? path) => Assert.False(SafePath.IsSafeRelative(path));

    [Theory]
    [InlineData("/a/b", "/a/b", true)]
    [InlineData("/a/b/c", "/a/b", true)]
    [InlineData("/a/b/c/d", "/a/b/", true)]
    [InlineData("/a/b/", "/a/b", true)]
    [InlineData("/anything", "/", true)]
    [InlineData("/a/bc", "/a/b", false)]
    [InlineData("/a", "/a/b", false)]
    [InlineData("/a/b/../c", "/a/b", false)]
    [InlineData("/a/b/./c", "/a/b", false)]
    [InlineData("/x/a/b", "/a/b", false)]
    [InlineData("a/b", "/a", false)]
    [InlineData("/a/b", "a", false)]
    [InlineData("a/b/c", "a/b", true)]
    [InlineData("", "/a", false)]
    [InlineData("/a", "", false)]
    public void IsWithin_is_segment_aware(string path, string root, bool expected) =>
        Assert.Equal(expected, SafePath.IsWithin(path, root));

    [Fact]
    public void IsWithin_is_case_sensitive() => Assert.False(SafePath.IsWithin("/A/b", "/a"));
}
