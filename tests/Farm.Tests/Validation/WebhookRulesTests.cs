using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Actors.Webhooks;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

public sealed class WebhookRulesTests
{
    private static readonly JobValidationPolicy Policy = new(["/mnt/artifacts"], ArchitectureCatalog.Default);
    private const string Url = "https://ci.example.com/h";

    private static List<ValidationError> Check(Webhook hook, JobValidationPolicy? policy = null)
    {
        var errors = new List<ValidationError>();
        WebhookRules.Check([hook], policy ?? Policy, errors);
        return errors;
    }

    private static List<ValidationError> CheckHosts(Webhook hook, params string[] allowedHosts) =>
        Check(hook, Policy with { WebhookAllowedHosts = allowedHosts });

    private static Dictionary<string, string> Header(string name, string value = "v") => new() { [name] = value };

    [Fact]
    public void A_plain_https_webhook_with_headers_and_events_passes() =>
        Assert.Empty(Check(new Webhook
        {
            Url = "https://ci.example.com/kernelfarm?project=a",
            Headers = new Dictionary<string, string> { ["X-Receiver-Token"] = "abc", ["X-Project"] = "linux" },
            Events = ["completed", "failed"],
        }));

    [Theory]
    [InlineData("")]
    [InlineData("ci.example.com/hook")]
    [InlineData("ftp://ci.example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://user:secret@ci.example.com/hook")]
    [InlineData("javascript:alert(1)")]
    public void Urls_other_than_absolute_http_without_credentials_are_refused(string url) =>
        Assert.Equal("webhooks[0].url", Assert.Single(Check(new Webhook { Url = url })).Field);

    [Fact]
    public void A_url_longer_than_the_limit_is_refused() =>
        Assert.Equal("webhooks[0].url", Assert.Single(Check(new Webhook { Url = Url + "?" + new string('a', WebhookRules.MaxUrlLength) })).Field);

    [Theory]
    [InlineData("http://127.0.0.1:8080/h", "loopback")]
    [InlineData("http://2130706433/h", "loopback")] // 127.0.0.1 as one number
    [InlineData("http://0x7f.1/h", "loopback")]
    [InlineData("http://127.1/h", "loopback")]
    [InlineData("http://[::1]/h", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/h", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[fe80::1]/h", "link-local")]
    [InlineData("http://10.0.0.5/h", "private")]
    [InlineData("http://192.168.1.1/h", "private")]
    [InlineData("http://0.0.0.0:4000/h", "unspecified")]
    [InlineData("http://100.64.1.1/h", "carrier-grade")]
    public void Literal_non_public_addresses_are_refused_at_submission(string url, string kind)
    {
        var error = Assert.Single(Check(new Webhook { Url = url }));
        Assert.Equal("webhooks[0].url", error.Field);
        Assert.Contains(kind, error.Message);
        Assert.Contains("Farm__Webhooks__AllowedNetworks", error.Message);
    }

    [Fact]
    public void Allowed_networks_let_literal_addresses_in_them_pass()
    {
        var policy = Policy with { WebhookAddresses = new WebhookAddressPolicy([System.Net.IPNetwork.Parse("127.0.0.0/8")], []) };
        Assert.Empty(Check(new Webhook { Url = "http://127.0.0.1:8080/h" }, policy));
        Assert.Single(Check(new Webhook { Url = "http://10.0.0.1/h" }, policy));
    }

    [Fact]
    public void Host_names_are_left_to_the_delivery_time_check() =>
        Assert.Empty(Check(new Webhook { Url = "http://localhost:8080/h" }));

    [Theory]
    [InlineData("Bad Header")]
    [InlineData("X:Y")]
    [InlineData("")]
    public void Malformed_header_names_are_refused(string name) =>
        Assert.Equal("webhooks[0].headers", Assert.Single(Check(new Webhook { Url = Url, Headers = Header(name) })).Field);

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("X-KernelFarm-Delivery")]
    [InlineData("Authorization")]
    [InlineData("COOKIE")]
    [InlineData("X-Forwarded-For")]
    [InlineData("Proxy-Authorization")]
    public void Forbidden_headers_are_refused_naming_the_header(string name) =>
        Assert.Equal($"webhooks[0].headers.{name}", Assert.Single(Check(new Webhook { Url = Url, Headers = Header(name) })).Field);

    [Fact]
    public void Allowed_headers_pass_but_never_framing_ones()
    {
        var policy = Policy with { WebhookAllowedHeaders = new HashSet<string>(["authorization", "Host"], StringComparer.OrdinalIgnoreCase) };
        Assert.Empty(Check(new Webhook { Url = Url, Headers = Header("Authorization", "Bearer x") }, policy));
        Assert.Equal("webhooks[0].headers.Host", Assert.Single(Check(new Webhook { Url = Url, Headers = Header("Host") }, policy)).Field);
        Assert.Equal("webhooks[0].headers.Cookie", Assert.Single(Check(new Webhook { Url = Url, Headers = Header("Cookie") }, policy)).Field);
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("line\nbreak")]
    [InlineData("ümlaut")]
    public void Header_values_that_could_split_the_request_are_refused(string value) =>
        Assert.Equal("webhooks[0].headers.X-A", Assert.Single(Check(new Webhook { Url = Url, Headers = Header("X-A", value) })).Field);

    [Fact]
    public void Header_count_and_total_size_are_bounded()
    {
        var many = Enumerable.Range(0, WebhookRules.MaxHeaders + 1).ToDictionary(i => $"X-H{i}", _ => "v");
        Assert.Equal("webhooks[0].headers", Assert.Single(Check(new Webhook { Url = Url, Headers = many })).Field);
        var big = Enumerable.Range(0, 3).ToDictionary(i => $"X-H{i}", _ => new string('v', WebhookRules.MaxHeaderValueLength));
        var error = Assert.Single(Check(new Webhook { Url = Url, Headers = big }));
        Assert.Equal("webhooks[0].headers", error.Field);
        Assert.Contains($"{WebhookRules.MaxHeaderBytes}", error.Message);
    }

    [Theory]
    [InlineData(new[] { "started" }, "not one of")]
    [InlineData(new[] { "completed", "completed" }, "twice")]
    [InlineData(new[] { "completed", "failed", "cancelled", "completed" }, "at most 3")]
    public void Events_are_distinct_known_and_few(string[] events, string message)
    {
        var error = Assert.Single(Check(new Webhook { Url = Url, Events = events }));
        Assert.Equal("webhooks[0].events", error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_flood_of_events_is_refused_without_echoing_it()
    {
        var error = Assert.Single(Check(new Webhook { Url = Url, Events = Enumerable.Repeat("completed", 100_000).ToList() }));
        Assert.Equal("webhooks[0].events", error.Field);
        Assert.True(error.Message.Length < 200);
    }

    [Fact]
    public void Too_many_webhooks_are_refused()
    {
        var errors = new List<ValidationError>();
        WebhookRules.Check(Enumerable.Repeat(new Webhook { Url = Url }, WebhookRules.MaxWebhooks + 1).ToList(), Policy, errors);
        Assert.Equal("webhooks", Assert.Single(errors).Field);
    }

    [Fact]
    public void With_allowed_hosts_only_those_hosts_or_their_subdomains_are_called()
    {
        Assert.Empty(CheckHosts(new Webhook { Url = "https://ci.example.com/h" }, "ci.example.com"));
        Assert.Empty(CheckHosts(new Webhook { Url = "https://a.b.example.com/h" }, ".example.com"));
        Assert.Single(CheckHosts(new Webhook { Url = "https://example.com.evil.net/h" }, ".example.com"));
        Assert.Single(CheckHosts(new Webhook { Url = "http://169.254.169.254/latest" }, "ci.example.com"));
    }
}
