using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Validation;

public sealed class WebhookRulesTests
{
    private static List<ValidationError> Check(Webhook hook, params string[] allowedHosts)
    {
        var errors = new List<ValidationError>();
        WebhookRules.Check([hook], allowedHosts, errors);
        return errors;
    }

    [Fact]
    public void A_plain_https_webhook_with_headers_and_events_passes() =>
        Assert.Empty(Check(new Webhook
        {
            Url = "https://ci.example.com/kernelfarm?project=a",
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer abc", ["X-Project"] = "linux" },
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

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("X-KernelFarm-Delivery")]
    [InlineData("Bad Header")]
    [InlineData("X:Y")]
    [InlineData("")]
    public void Reserved_or_malformed_header_names_are_refused(string name) =>
        Assert.Equal("webhooks[0].headers", Assert.Single(Check(new Webhook { Url = "http://127.0.0.1/h", Headers = new Dictionary<string, string> { [name] = "v" } })).Field);

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("line\nbreak")]
    [InlineData("ümlaut")]
    public void Header_values_that_could_split_the_request_are_refused(string value) =>
        Assert.Equal("webhooks[0].headers", Assert.Single(Check(new Webhook { Url = "http://127.0.0.1/h", Headers = new Dictionary<string, string> { ["X-A"] = value } })).Field);

    [Fact]
    public void Unknown_events_and_too_many_webhooks_are_refused()
    {
        Assert.Equal("webhooks[0].events", Assert.Single(Check(new Webhook { Url = "http://127.0.0.1/h", Events = ["started"] })).Field);
        var errors = new List<ValidationError>();
        WebhookRules.Check(Enumerable.Repeat(new Webhook { Url = "http://127.0.0.1/h" }, WebhookRules.MaxWebhooks + 1).ToList(), [], errors);
        Assert.Equal("webhooks", Assert.Single(errors).Field);
    }

    [Fact]
    public void With_allowed_hosts_only_those_hosts_or_their_subdomains_are_called()
    {
        Assert.Empty(Check(new Webhook { Url = "https://ci.example.com/h" }, "ci.example.com"));
        Assert.Empty(Check(new Webhook { Url = "https://a.b.example.com/h" }, ".example.com"));
        Assert.Single(Check(new Webhook { Url = "https://example.com.evil.net/h" }, ".example.com"));
        Assert.Single(Check(new Webhook { Url = "http://169.254.169.254/latest" }, "ci.example.com"));
    }
}
