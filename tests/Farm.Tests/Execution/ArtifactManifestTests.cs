using KernelFarm.Actors.Execution;
using Xunit;

namespace KernelFarm.Tests.Execution;

public sealed class ArtifactManifestTests
{
    private static readonly string HashA = new('a', 64);
    private static readonly string HashB = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ABCDEF";

    private static string Line(string path, long size = 10, string? hash = null) => $"{hash ?? HashA}\t{size}\t{path}\n";

    [Fact]
    public void Parses_valid_lines_in_order()
    {
        var entries = ArtifactManifest.Parse(
            Line("System.map", 1234) + Line("bzImage", 0, HashB) + Line("dtbs/arm/juno-r1.dtb", 99_999_999_999));

        Assert.Equal(3, entries.Count);
        Assert.Equal(("System.map", 1234L, HashA), (entries[0].Path, entries[0].Size, entries[0].Sha256));
        Assert.Equal(("bzImage", 0L, HashB.ToLowerInvariant()), (entries[1].Path, entries[1].Size, entries[1].Sha256));
        Assert.Equal(("dtbs/arm/juno-r1.dtb", 99_999_999_999L), (entries[2].Path, entries[2].Size));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\n\n")]
    public void Empty_manifest_has_no_entries(string text) => Assert.Empty(ArtifactManifest.Parse(text));

    [Fact]
    public void Missing_trailing_newline_is_fine() =>
        Assert.Equal("vmlinux", Assert.Single(ArtifactManifest.Parse(Line("vmlinux").TrimEnd('\n'))).Path);

    [Theory]
    [InlineData("modules/lib/modules/6.1.0+/kernel/x.ko")]
    [InlineData("modules/lib/modules/6.8.0-rc1-00042-gdeadbeef+/kernel/drivers/net/e1000/e1000.ko")]
    [InlineData("modules/lib/modules/6.1.0/modules.dep")]
    [InlineData("dtbs/vendor/board,rev-a@1=x.dtb")]
    [InlineData("files/arch/x86/boot/bzImage")]
    [InlineData("vmlinux")]
    [InlineData("..hidden")]
    [InlineData("a..b")]
    public void Safe_paths_are_accepted(string path)
    {
        Assert.True(ArtifactManifest.IsSafeArtifactPath(path));
        Assert.Equal(path, Assert.Single(ArtifactManifest.Parse(Line(path))).Path);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("./x")]
    [InlineData("a/./b")]
    [InlineData("/abs")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("-rf")]
    [InlineData("a b")]
    [InlineData("a\rb")]
    [InlineData("a\\b")]
    [InlineData("a;b")]
    [InlineData("$(x)")]
    [InlineData("*")]
    [InlineData("ü.ko")]
    [InlineData("~/x")]
    public void Unsafe_paths_are_refused(string path)
    {
        Assert.False(ArtifactManifest.IsSafeArtifactPath(path));
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse(Line(path)));
    }

    [Fact]
    public void Overlong_paths_are_refused()
    {
        Assert.False(ArtifactManifest.IsSafeArtifactPath(new string('a', 1025)));
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse(Line(new string('a', 1025))));
    }

    [Fact]
    public void Empty_path_is_refused() =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse($"{HashA}\t1\t\n"));

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(0)]
    [InlineData(40)]
    public void Wrong_hash_length_is_refused(int length) =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse(Line("vmlinux", hash: new string('a', length))));

    [Theory]
    [InlineData("-1")]
    [InlineData("-100")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999999")]
    public void Bad_sizes_are_refused(string size) =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse($"{HashA}\t{size}\tvmlinux\n"));

    [Fact]
    public void A_path_with_a_tab_is_refused() =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse($"{HashA}\t1\tvm\tlinux\n"));

    [Fact]
    public void A_path_with_a_newline_is_refused()
    {
        // The newline splits the entry: the tail is a line of its own that is not a manifest line.
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse($"{HashA}\t1\tvm\nlinux\n"));
        // ...even when the tail happens to look like a path of its own.
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse($"{HashA}\t1\tvm\n../../etc/cron.d/x\n"));
    }

    [Theory]
    [InlineData("only-two\tfields")]
    [InlineData("x")]
    public void Malformed_lines_are_refused(string line) =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse(Line("vmlinux") + line + "\n"));

    [Fact]
    public void One_bad_line_rejects_the_whole_manifest() =>
        Assert.Throws<FormatException>(() => ArtifactManifest.Parse(Line("vmlinux") + Line("../escape") + Line("System.map")));

    [Theory]
    [InlineData("SHA256:abc", "abc", true)]
    [InlineData("abc", "abc=", true)]
    [InlineData("SHA256:abc", "abc=", true)]
    [InlineData("SHA256:abc==", "SHA256:abc", true)]
    [InlineData("sha256:abc", "abc", true)]
    [InlineData("  SHA256:abc\n", "abc", true)]
    [InlineData("SHA256:abc", "SHA256:abd", false)]
    [InlineData("abc", "ABC", false)]
    [InlineData("SHA256:abc", "abcd", false)]
    [InlineData("MD5:abc", "abc", false)]
    [InlineData("SHA256:abc", "", false)]
    public void Host_key_fingerprints_match_in_any_pasted_form(string expected, string presented, bool matches)
    {
        Assert.Equal(matches, HostKeyFingerprint.Matches(expected, presented));
        Assert.Equal(matches, HostKeyFingerprint.Matches(presented, expected));
    }

    [Theory]
    [InlineData("abc", "SHA256:abc")]
    [InlineData("SHA256:abc=", "SHA256:abc")]
    [InlineData("sha256:xyz", "SHA256:xyz")]
    public void Display_normalises_to_the_ssh_keygen_form(string input, string display) =>
        Assert.Equal(display, HostKeyFingerprint.Display(input));
}
