using System.Net;
using KernelFarm.Actors.Webhooks;
using Xunit;

namespace KernelFarm.Tests.Webhooks;

public sealed class WebhookAddressPolicyTests
{
    private static readonly WebhookAddressPolicy Default = new([], []);

    private static WebhookAddressPolicy Allowing(params string[] cidrs) =>
        new(cidrs.Select(c => WebhookAddressPolicy.TryParseNetwork(c, out var n) ? n : throw new ArgumentException(c)), []);

    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("192.0.0.170", "IETF")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("100::1", "discard")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("::127.0.0.1", "IPv4-compatible address of a loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64 address of a link-local")]
    [InlineData("64:ff9b:1::1", "local-use NAT64")]
    [InlineData("2002:7f00:1::1", "6to4 address of a loopback")]
    [InlineData("2001:0:4136:e378::1", "Teredo")]
    public void Non_public_addresses_are_refused_saying_what_they_are(string address, string kind)
    {
        var why = Default.Refusal(IPAddress.Parse(address));
        Assert.NotNull(why);
        Assert.Contains(kind, why);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("11.0.0.1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700::1111")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_may_be_called(string address) =>
        Assert.Null(Default.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void The_farms_own_addresses_are_refused_in_any_spelling()
    {
        var policy = new WebhookAddressPolicy([], [IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")]);
        Assert.Contains("farm itself", policy.Refusal(IPAddress.Parse("203.0.113.7")));
        Assert.Contains("farm itself", policy.Refusal(IPAddress.Parse("::ffff:203.0.113.7")));
        Assert.Contains("farm itself", policy.Refusal(IPAddress.Parse("2001:db8::7")));
        Assert.Null(policy.Refusal(IPAddress.Parse("203.0.113.8")));
    }

    [Fact]
    public void An_allowed_network_opens_exactly_its_addresses_also_when_ipv4_mapped()
    {
        var policy = Allowing("127.0.0.0/8", "10.1.0.0/16", "fd00::/8");
        Assert.Null(policy.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policy.Refusal(IPAddress.Parse("::ffff:127.0.0.2")));
        Assert.Null(policy.Refusal(IPAddress.Parse("10.1.200.3")));
        Assert.Null(policy.Refusal(IPAddress.Parse("fd00::5")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("10.2.0.1")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("::1"))); // IPv6 loopback is another network
        Assert.NotNull(policy.Refusal(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void An_allowed_network_also_opens_the_farms_own_addresses_in_it()
    {
        var policy = new WebhookAddressPolicy([WebhookAddressPolicy.TryParseNetwork("203.0.113.0/24", out var n) ? n : default],
            [IPAddress.Parse("203.0.113.7")]);
        Assert.Null(policy.Refusal(IPAddress.Parse("203.0.113.7")));
    }

    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.0/8")]
    [InlineData("127.0.0.1/8", "127.0.0.0/8")] // host bits are dropped, not an error
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData(" fd00::/8 ", "fd00::/8")]
    [InlineData("::1", "::1/128")]
    public void Networks_parse_as_cidr(string text, string expected)
    {
        Assert.True(WebhookAddressPolicy.TryParseNetwork(text, out var network));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("localhost")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("fe80::1%eth0/64")]
    public void Malformed_networks_do_not_parse(string? text) =>
        Assert.False(WebhookAddressPolicy.TryParseNetwork(text, out _));

    [Fact]
    public void Bad_settings_stop_the_node_naming_the_setting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => FarmAddresses.Validate(new WebhookSettings { AllowedNetworks = ["10.0.0.0/8", "nonsense"] }));
        Assert.Contains("Farm:Webhooks:AllowedNetworks:1", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => FarmAddresses.Validate(new WebhookSettings { AllowedHeaders = ["Authorization", "host"] }));
        Assert.Contains("Farm:Webhooks:AllowedHeaders:1", e.Message);
        FarmAddresses.Validate(new WebhookSettings { AllowedNetworks = ["127.0.0.0/8"], AllowedHeaders = ["Authorization", "Cookie"] });
    }
}
