using KernelFarm.Actors.Webhooks;
using Xunit;

namespace KernelFarm.Tests.Webhooks;

public sealed class WebhookHeaderRulesTests
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    [Theory]
    [InlineData("Authorization")]
    [InlineData("authorization")]
    [InlineData("Cookie")]
    [InlineData("X-Forwarded-For")]
    [InlineData("x-forwarded-host")]
    [InlineData("Forwarded")]
    [InlineData("Proxy-Authorization")]
    [InlineData("X-Real-IP")]
    [InlineData("Metadata-Flavor")]
    public void Credential_and_routing_headers_are_refused_unless_allowed(string name)
    {
        Assert.Contains("AllowedHeaders", WebhookHeaderRules.Refusal(name, None));
        Assert.Null(WebhookHeaderRules.Refusal(name, new HashSet<string>([name.ToUpperInvariant()], StringComparer.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("X-KernelFarm-Delivery")]
    [InlineData("x-kernelfarm-event")]
    public void Headers_set_by_http_or_the_farm_are_refused_even_when_allowed(string name) =>
        Assert.Contains("set by HTTP or by the farm", WebhookHeaderRules.Refusal(name, new HashSet<string>([name], StringComparer.OrdinalIgnoreCase)));

    [Theory]
    [InlineData("X-Receiver-Token")]
    [InlineData("X-Project")]
    [InlineData("X-Gitlab-Token")]
    public void Other_headers_may_be_set(string name) => Assert.Null(WebhookHeaderRules.Refusal(name, None));
}
