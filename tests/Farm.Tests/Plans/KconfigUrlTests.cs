using KernelFarm.Actors.Plans;
using Xunit;

namespace KernelFarm.Tests.Plans;

/// <summary>kconfig URLs: which the farm fetches, and what a fetched fragment may hold.</summary>
public sealed class KconfigUrlTests
{
    private static readonly string[] Prefixes = ["https://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/", "http://127.0.0.1:8080/fragments"];

    [Theory]
    [InlineData("https://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/main/configs/x.config")]
    [InlineData("http://127.0.0.1:8080/fragments/guest.config")]
    public void A_url_under_an_allowed_prefix_is_fetched(string url) => Assert.Null(KconfigUrlRule.Refusal(url, Prefixes));

    [Theory]
    [InlineData("https://raw.githubusercontent.com/ClangBuiltLinux/other/x.config", "not under a prefix")]
    [InlineData("https://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/../other/x.config", "dot segments")]
    [InlineData("https://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/%2e%2e/other/x.config", "escapes")]
    [InlineData("https://raw.githubusercontent.com@169.254.169.254/ClangBuiltLinux/tuxsuite/x.config", "user info")]
    [InlineData("https://raw.githubusercontent.com.evil.example/ClangBuiltLinux/tuxsuite/x.config", "not under a prefix")]
    [InlineData("http://raw.githubusercontent.com/ClangBuiltLinux/tuxsuite/x.config", "not under a prefix")] // another scheme
    [InlineData("http://127.0.0.1:8081/fragments/guest.config", "not under a prefix")] // another port
    [InlineData("http://127.0.0.1:8080/fragments-evil/guest.config", "not under a prefix")] // a sibling path, not under it
    [InlineData("http://127.0.0.1:8080/fragments/guest.config?x=1", "query")]
    [InlineData("http://169.254.169.254/latest/meta-data", "not under a prefix")]
    [InlineData("ftp://127.0.0.1:8080/fragments/x.config", "not an http(s) URL")]
    public void Anything_else_is_refused_with_the_reason(string url, string reason) =>
        Assert.Contains(reason, KconfigUrlRule.Refusal(url, Prefixes), StringComparison.Ordinal);

    [Fact]
    public void No_prefixes_no_urls() =>
        Assert.Contains("Farm:KconfigUrlPrefixes is empty", KconfigUrlRule.Refusal("https://example.org/x.config", []), StringComparison.Ordinal);

    [Fact]
    public void A_fragment_files_config_lines_are_kept_in_order_and_comments_dropped()
    {
        var (lines, error) = KconfigFragmentText.Parse("# a comment\r\nCONFIG_A=y\n\n# CONFIG_B is not set\nCONFIG_CMDLINE=\"console=ttyS0\"\n");
        Assert.Null(error);
        Assert.Equal(["CONFIG_A=y", "# CONFIG_B is not set", "CONFIG_CMDLINE=\"console=ttyS0\""], lines);
    }

    [Theory]
    [InlineData("CONFIG_A=y\nCONFIG_B=$(id)\n", "line 2")]
    [InlineData("CONFIG_A=y\nrm -rf /\n", "line 2")]
    [InlineData("# only a comment\n\n", "no CONFIG_ lines")]
    [InlineData("<html>not found</html>", "line 1")]
    public void A_fragment_file_with_anything_else_is_refused_naming_the_line(string text, string reason) =>
        Assert.Contains(reason, KconfigFragmentText.Parse(text).Error, StringComparison.Ordinal);

    [Fact]
    public void A_fragment_file_of_too_many_lines_is_refused() =>
        Assert.Contains("more than", KconfigFragmentText.Parse(string.Concat(Enumerable.Range(0, KconfigFragmentText.MaxLines + 1).Select(i => $"CONFIG_X{i}=y\n"))).Error,
            StringComparison.Ordinal);
}
