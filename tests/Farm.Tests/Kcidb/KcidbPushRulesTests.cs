using KernelFarm.Actors.Kcidb;
using Xunit;

namespace KernelFarm.Tests.Kcidb;

/// <summary>The push settings a farm refuses to start with, each with a message naming the setting.</summary>
public sealed class KcidbPushRulesTests
{
    private const string Farm = "https://farm.example.org";

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, "unused-token")] // off; a token alone is kept for later
    [InlineData("https://kcidb.kernelci.org/submit", Farm, "abc.DEF-123_~")]
    [InlineData("http://127.0.0.1:8000/submit", Farm, null)]
    public void Accepted(string? submitUrl, string? publicUrl, string? token) =>
        KcidbPushRules.Validate(new KcidbSettings { SubmitUrl = submitUrl, PublicUrl = publicUrl, Token = token });

    [Theory]
    [InlineData("kcidb.kernelci.org/submit", Farm, null, "Farm:Kcidb:SubmitUrl")]
    [InlineData("ftp://kcidb.example.org/submit", Farm, null, "Farm:Kcidb:SubmitUrl")]
    [InlineData("https://user:pw@kcidb.example.org/submit", Farm, null, "Farm:Kcidb:Token")]
    [InlineData("https://kcidb.example.org/submit", null, null, "Farm:Kcidb:PublicUrl")]
    [InlineData("https://kcidb.example.org/submit", Farm, "two words", "Farm:Kcidb:Token")]
    [InlineData("https://kcidb.example.org/submit", Farm, "line\nbreak", "Farm:Kcidb:Token")]
    public void Refused(string submitUrl, string? publicUrl, string? token, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            KcidbPushRules.Validate(new KcidbSettings { SubmitUrl = submitUrl, PublicUrl = publicUrl, Token = token }));
        Assert.Contains(named, e.Message);
        if (token is not null) Assert.DoesNotContain(token, e.Message); // a secret, even a malformed one
    }
}
