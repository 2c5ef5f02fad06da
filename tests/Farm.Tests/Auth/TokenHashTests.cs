using KernelFarm.Host.Auth;
using Xunit;

namespace KernelFarm.Tests.Auth;

public sealed class TokenHashTests
{
    // sha256("abc"), the FIPS 180-2 test vector.
    private const string AbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void The_hash_of_a_token_is_the_sha256_of_its_utf8_bytes() =>
        Assert.Equal(AbcHex, TokenHash.Of("abc").ToHex());

    [Theory]
    [InlineData(AbcHex)]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("  " + AbcHex + "\n")]
    [InlineData(AbcHex + "  -")] // sha256sum's output, pasted as it is
    public void Hex_digests_parse_in_either_case_and_as_sha256sum_prints_them(string text)
    {
        Assert.True(TokenHash.TryParse(text, out var hash));
        Assert.True(hash!.Matches(TokenHash.Of("abc")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ba7816bf")] // too short
    [InlineData(AbcHex + "00")] // too long
    [InlineData("za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")] // not hex
    [InlineData("ba7816bf8f01cfea414140de5dae2223 b00361a396177a9cb410ff61f20015ad")] // inner blank
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Anything_but_64_hex_digits_is_refused(string? text)
    {
        Assert.False(TokenHash.TryParse(text, out var hash));
        Assert.Null(hash);
    }

    [Fact]
    public void Another_token_does_not_match()
    {
        Assert.False(TokenHash.Of("abc").Matches(TokenHash.Of("abd")));
        Assert.False(TokenHash.Of("abc").Matches(TokenHash.Of("ABC")));
        Assert.False(TokenHash.Of("abc").Matches(TokenHash.Of("abc ")));
    }

    [Fact]
    public void Printing_a_hash_shows_the_hash_only() =>
        Assert.Equal("sha256:" + AbcHex, TokenHash.Of("abc").ToString());
}
