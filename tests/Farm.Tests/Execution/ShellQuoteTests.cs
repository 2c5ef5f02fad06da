using System.Text;
using KernelFarm.Actors.Execution;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>ShellQuote.Quote, checked against a real /bin/bash.</summary>
public sealed class ShellQuoteTests : IDisposable
{
    private readonly TempDir _dir = new("kfarm-quote-");

    public void Dispose() => _dir.Dispose();

    /// <summary>"{canary}" in a payload is replaced with a file path the payload would create if it ever ran.</summary>
    public static TheoryData<string> HostileStrings() => new()
    {
        "plain",
        "",
        " ",
        "two words",
        "  leading and trailing  ",
        "a;touch {canary}",
        "; touch {canary};",
        "$(touch {canary})",
        "`touch {canary}`",
        "${IFS}$(touch${IFS}{canary})",
        "'",
        "''",
        "it's",
        "'; touch {canary}; '",
        "'$(touch {canary})'",
        "\"",
        "\"; touch {canary}; \"",
        "\"$(touch {canary})\"",
        "\\",
        "\\'",
        "trailing backslash\\",
        "\\\"$(touch {canary})\\\"",
        "line1\nline2",
        "\ntouch {canary}\n",
        "\n",
        "tab\there",
        "cr\rhere",
        "a|touch {canary}",
        "a&&touch {canary}",
        "a&touch {canary}",
        "a>{canary}",
        "<(touch {canary})",
        "*",
        "/*",
        "?",
        "[a-z]*",
        "~",
        "~root",
        "$HOME",
        "${HOME}",
        "$$",
        "$0",
        "!!",
        "!touch",
        "#not a comment",
        "{a,b}",
        "%s%d%n",
        "-n",
        "--",
        "ünïcødé ✓ 日本語 😀",
        "\u00a0non-breaking\u2028separator",
        "\u0001\u001b[31mred\u001b[0m\u007f",
    };

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void Bash_printf_of_the_quoted_word_prints_the_input_byte_for_byte(string template)
    {
        var canary = _dir.Combine("canary");
        var input = template.Replace("{canary}", canary, StringComparison.Ordinal);

        var result = LocalShell.BashC("printf %s " + ShellQuote.Quote(input));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Encoding.UTF8.GetBytes(input), result.Stdout);
        Assert.False(File.Exists(canary), $"the payload ran: {canary} was created");
    }

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void The_quoted_string_is_exactly_one_shell_word(string template)
    {
        var canary = _dir.Combine("canary");
        var input = template.Replace("{canary}", canary, StringComparison.Ordinal);

        var result = LocalShell.BashC($"set -- {ShellQuote.Quote(input)}; printf %s \"$#\"");

        Assert.Equal("1", result.StdoutText);
        Assert.False(File.Exists(canary), $"the payload ran: {canary} was created");
    }

    [Fact]
    public void Several_quoted_words_stay_separate_words()
    {
        string[] words = ["a b", "", "'", "$(x)", "\n"];

        var result = LocalShell.BashC("printf '<%s>' " + string.Join(' ', words.Select(ShellQuote.Quote)));

        Assert.Equal(string.Concat(words.Select(w => $"<{w}>")), result.StdoutText);
    }

    [Fact]
    public void Quoted_value_survives_assignment_and_export()
    {
        var canary = _dir.Combine("canary");
        var value = $"x' \"$(touch {canary})\" `touch {canary}` ; \\ \n end";

        var result = LocalShell.BashC($"export V={ShellQuote.Quote(value)}; {LocalShell.Bash} -c 'printf %s \"$V\"'");

        Assert.Equal(value, result.StdoutText);
        Assert.False(File.Exists(canary));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a b")]
    [InlineData("")]
    public void Quote_wraps_in_single_quotes(string input) =>
        Assert.Equal("'" + input + "'", ShellQuote.Quote(input));

    [Fact]
    public void A_single_quote_is_closed_escaped_and_reopened() =>
        Assert.Equal(@"'it'\''s'", ShellQuote.Quote("it's"));

    [Theory]
    [InlineData("\0")]
    [InlineData("abc\0")]
    [InlineData("a\0b")]
    public void Nul_cannot_be_quoted(string input)
    {
        var e = Assert.Throws<ArgumentException>(() => ShellQuote.Quote(input));
        Assert.Equal("value", e.ParamName);
    }
}
