using KernelFarm.Cli.Config;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ConfigPrecedenceTests
{
    private const string Home = "/home/dev";
    private const string DefaultPath = "/home/dev/.config/kfarm/config.json";

    private static CliConfig Resolve(string? flagEndpoint = null, string? flagToken = null,
        Dictionary<string, string>? env = null, Dictionary<string, string>? files = null) =>
        CliConfig.Resolve(flagEndpoint, flagToken,
            name => env is not null && env.TryGetValue(name, out var v) ? v : null,
            path => files is not null && files.TryGetValue(path, out var t) ? t : null,
            Home);

    private static readonly Dictionary<string, string> FileWithBoth = new()
    {
        [DefaultPath] = """{ "endpoint": "http://file:1", "token": "file-token" }""",
    };

    private static readonly Dictionary<string, string> EnvWithBoth = new()
    {
        ["KFARM_ENDPOINT"] = "http://env:2",
        ["KFARM_TOKEN"] = "env-token",
    };

    [Fact]
    public void Without_anything_the_endpoint_is_the_local_default_and_there_is_no_token()
    {
        var c = Resolve();
        Assert.Equal(new Uri("http://127.0.0.1:8080/"), c.Endpoint);
        Assert.Null(c.Token);
        Assert.Equal(DefaultPath, c.ConfigPath);
    }

    [Fact]
    public void The_config_file_beats_the_default()
    {
        var c = Resolve(files: FileWithBoth);
        Assert.Equal(new Uri("http://file:1/"), c.Endpoint);
        Assert.Equal("file-token", c.Token);
    }

    [Fact]
    public void The_environment_beats_the_config_file()
    {
        var c = Resolve(env: EnvWithBoth, files: FileWithBoth);
        Assert.Equal(new Uri("http://env:2/"), c.Endpoint);
        Assert.Equal("env-token", c.Token);
    }

    [Fact]
    public void Flags_beat_the_environment_and_the_file()
    {
        var c = Resolve("http://flag:3", "flag-token", EnvWithBoth, FileWithBoth);
        Assert.Equal(new Uri("http://flag:3/"), c.Endpoint);
        Assert.Equal("flag-token", c.Token);
    }

    [Fact]
    public void Each_setting_falls_through_on_its_own()
    {
        var c = Resolve(flagEndpoint: "http://flag:3", env: new() { ["KFARM_ENDPOINT"] = "http://env:2" }, files: FileWithBoth);
        Assert.Equal(new Uri("http://flag:3/"), c.Endpoint);
        Assert.Equal("file-token", c.Token);
    }

    [Fact]
    public void Empty_values_count_as_unset()
    {
        var c = Resolve(flagEndpoint: "", env: new() { ["KFARM_ENDPOINT"] = "  ", ["KFARM_TOKEN"] = "" }, files: FileWithBoth);
        Assert.Equal(new Uri("http://file:1/"), c.Endpoint);
        Assert.Equal("file-token", c.Token);
    }

    [Fact]
    public void KFARM_CONFIG_names_the_file_instead_of_the_default_path()
    {
        var c = Resolve(env: new() { ["KFARM_CONFIG"] = "/etc/kfarm.json" }, files: new()
        {
            [DefaultPath] = """{ "endpoint": "http://default-file:1" }""",
            ["/etc/kfarm.json"] = """{ "endpoint": "http://named-file:1" }""",
        });
        Assert.Equal(new Uri("http://named-file:1/"), c.Endpoint);
        Assert.Equal("/etc/kfarm.json", c.ConfigPath);
    }

    [Fact]
    public void A_named_config_file_that_does_not_exist_is_a_usage_error()
    {
        var e = Assert.Throws<CliException>(() => Resolve(env: new() { ["KFARM_CONFIG"] = "/nope.json" }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("/nope.json", e.Message);
    }

    [Fact]
    public void A_config_file_that_is_not_json_is_a_usage_error_naming_the_file()
    {
        var e = Assert.Throws<CliException>(() => Resolve(files: new() { [DefaultPath] = "endpoint = x" }));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(DefaultPath, e.Message);
    }

    [Fact]
    public void A_config_value_of_the_wrong_type_is_named()
    {
        var e = Assert.Throws<CliException>(() => Resolve(files: new() { [DefaultPath] = """{ "token": 42 }""" }));
        Assert.Contains("\"token\"", e.Message);
    }

    [Theory]
    [InlineData("ftp://farm")]
    [InlineData("farm:8080")]
    [InlineData("not a url")]
    public void An_endpoint_that_is_not_an_http_url_is_a_usage_error(string endpoint)
    {
        var e = Assert.Throws<CliException>(() => Resolve(flagEndpoint: endpoint));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void An_endpoint_with_a_path_keeps_it_for_relative_api_paths()
    {
        var c = Resolve(flagEndpoint: "https://gw.example/farm");
        Assert.Equal(new Uri("https://gw.example/farm/api/v1/cluster"), new Uri(c.Endpoint, "api/v1/cluster"));
    }

    [Fact]
    public void An_error_about_the_config_file_never_shows_the_token()
    {
        var e = Assert.Throws<CliException>(() => Resolve(files: new() { [DefaultPath] = """{ "token": "s3cret", "endpoint": "gopher://x" }""" }));
        Assert.DoesNotContain("s3cret", e.Message);
    }
}
