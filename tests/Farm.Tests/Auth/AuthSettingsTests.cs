using KernelFarm.Host.Auth;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace KernelFarm.Tests.Auth;

public sealed class AuthSettingsTests
{
    private static string Hash(string token) => TokenHash.Of(token).ToHex();

    private static AuthSettings.TokenEntry Entry(string? name, string? role, string? sha256) => new() { Name = name, Role = role, Sha256 = sha256 };

    private static AuthSettings With(params AuthSettings.TokenEntry[] tokens) => new() { Tokens = [.. tokens] };

    [Fact]
    public void Without_tokens_and_not_disabled_the_error_names_both_ways_out()
    {
        var error = Assert.Single(new AuthSettings().Validate());
        Assert.Contains("Farm__Auth__Tokens__0__Sha256", error);
        Assert.Contains("Farm__Auth__Disabled=true", error);
    }

    [Fact]
    public void Disabled_needs_no_tokens() => Assert.Empty(new AuthSettings { Disabled = true }.Validate());

    [Fact]
    public void A_complete_table_is_valid() =>
        Assert.Empty(With(Entry("ci", "submitter", Hash("a")), Entry("ops", "Operator", Hash("b")), Entry("dash.board@x", "viewer", Hash("c"))).Validate());

    [Fact]
    public void An_unknown_role_is_named_with_its_entry()
    {
        var error = Assert.Single(With(Entry("ci", "submitter", Hash("a")), Entry("ops", "admin", Hash("b"))).Validate());
        Assert.Contains("Farm__Auth__Tokens__1__Role", error);
        Assert.Contains("'ops'", error);
        Assert.Contains("'admin'", error);
    }

    [Fact]
    public void A_missing_role_is_an_error() =>
        Assert.Contains("Farm__Auth__Tokens__0__Role is required", Assert.Single(With(Entry("ci", null, Hash("a"))).Validate()));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-hash")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015")]
    public void A_malformed_hash_is_named_with_its_entry(string? sha256)
    {
        var error = Assert.Single(With(Entry("ci", "viewer", sha256)).Validate());
        Assert.Contains("Farm__Auth__Tokens__0__Sha256", error);
        Assert.Contains("'ci'", error);
    }

    [Fact]
    public void A_token_pasted_in_place_of_its_hash_is_refused_and_never_echoed()
    {
        const string token = "s3cret-token-pasted-by-mistake";
        var error = Assert.Single(With(Entry("ci", "viewer", token)).Validate());
        Assert.DoesNotContain(token, error);
        Assert.Contains("not the token itself", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("has space")]
    [InlineData("new\nline")]
    public void Names_are_required_and_plain(string? name) =>
        Assert.Contains("Farm__Auth__Tokens__0__Name", Assert.Single(With(Entry(name, "viewer", Hash("a"))).Validate()));

    [Fact]
    public void Names_are_unique() =>
        Assert.Contains("already the name of Farm__Auth__Tokens__0",
            Assert.Single(With(Entry("ci", "viewer", Hash("a")), Entry("CI", "viewer", Hash("b"))).Validate()));

    [Fact]
    public void The_same_token_twice_is_refused() =>
        Assert.Contains("same token as Farm__Auth__Tokens__0",
            Assert.Single(With(Entry("ci", "viewer", Hash("a")), Entry("ops", "operator", Hash("a").ToUpperInvariant())).Validate()));

    [Fact]
    public void Bad_entries_are_refused_even_when_auth_is_disabled() =>
        Assert.Single(new AuthSettings { Disabled = true, Tokens = [Entry("ci", "root", Hash("a"))] }.Validate());

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var e = Assert.Throws<AuthConfigurationException>(() => ApiTokens.From(With(Entry("", "admin", "x"), Entry("ok", "viewer", Hash("a")))));
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains("refusing to start", e.Message);
    }

    [Fact]
    public void The_table_finds_a_token_by_its_secret_and_nothing_else()
    {
        var tokens = ApiTokens.From(With(Entry("ci", "submitter", Hash("token-a")), Entry("ops", "operator", Hash("token-b"))));
        Assert.Equal(("ci", ApiRole.Submitter), tokens.Find("token-a") is { } a ? (a.Name, a.Role) : default);
        Assert.Equal(("ops", ApiRole.Operator), tokens.Find("token-b") is { } b ? (b.Name, b.Role) : default);
        Assert.Null(tokens.Find("token-c"));
        Assert.Null(tokens.Find(Hash("token-a"))); // the hash is not the secret
        Assert.Null(tokens.Find(""));
    }

    [Fact]
    public void Binds_from_the_environment_variable_names_of_the_readme()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Farm__Auth__Tokens__0__Name=ci as the environment provider maps it
            ["Farm:Auth:Tokens:0:Name"] = "ci",
            ["Farm:Auth:Tokens:0:Role"] = "submitter",
            ["Farm:Auth:Tokens:0:Sha256"] = Hash("t"),
            ["Farm:Auth:Disabled"] = "false",
        }).Build();
        var settings = config.GetSection(AuthSettings.Section).Get<AuthSettings>()!;
        Assert.False(settings.Disabled);
        Assert.Equal("ci", ApiTokens.From(settings).Find("t")!.Name);
    }
}
