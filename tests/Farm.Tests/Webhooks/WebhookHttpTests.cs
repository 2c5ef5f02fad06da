using System.Net;
using System.Net.Sockets;
using KernelFarm.Actors.Webhooks;
using Xunit;

namespace KernelFarm.Tests.Webhooks;

/// <summary>The webhook client against real listeners on loopback: the policy holds on the address connected to, redirects are not followed.</summary>
public sealed class WebhookHttpTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public WebhookHttpTests() => _listener.Start();
    public void Dispose() => _listener.Stop();

    private static WebhookAddressPolicy Allowing(string cidr) =>
        new([WebhookAddressPolicy.TryParseNetwork(cidr, out var n) ? n : throw new ArgumentException(cidr)], []);

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task A_host_that_is_or_resolves_to_loopback_is_never_connected_to(string host)
    {
        var http = new WebhookHttp(() => new WebhookAddressPolicy([], [])).Client;
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync($"http://{host}:{Port}/hook", new StringContent("{}")));
        var refused = Assert.IsType<WebhookRefusedException>(e.GetBaseException());
        Assert.Contains("loopback", refused.Message);
        Assert.False(_listener.Pending()); // nothing ever connected
    }

    [Fact]
    public async Task Every_resolved_address_is_checked_and_only_checked_addresses_are_connected_to()
    {
        // A name with a public and a loopback address (rebinding's usual trick): refused as a whole.
        Task<IPAddress[]> Mixed(string _, CancellationToken __) => Task.FromResult(new[] { IPAddress.Parse("93.184.215.14"), IPAddress.Loopback });
        var e = await Assert.ThrowsAsync<WebhookRefusedException>(async () =>
            await WebhookHttp.ConnectAsync(new DnsEndPoint("hooks.example", Port), new WebhookAddressPolicy([], []), CancellationToken.None, Mixed));
        Assert.Contains("hooks.example resolves to 127.0.0.1", e.Message);
        Assert.False(_listener.Pending());

        Task<IPAddress[]> Loopback(string _, CancellationToken __) => Task.FromResult(new[] { IPAddress.Loopback });
        await using var stream = await WebhookHttp.ConnectAsync(new DnsEndPoint("hooks.example", Port), Allowing("127.0.0.0/8"), CancellationToken.None, Loopback);
        using var accepted = await _listener.AcceptTcpClientAsync();
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task A_redirect_is_returned_not_followed()
    {
        var second = new TcpListener(IPAddress.Loopback, 0);
        second.Start();
        try
        {
            var http = new WebhookHttp(() => Allowing("127.0.0.0/8")).Client;
            var call = http.PostAsync($"http://127.0.0.1:{Port}/hook", new StringContent("{}"));
            using (var client = await _listener.AcceptTcpClientAsync())
            {
                var s = client.GetStream();
                var buffer = new byte[4096];
                _ = await s.ReadAsync(buffer);
                var secondUrl = $"http://127.0.0.1:{((IPEndPoint)second.LocalEndpoint).Port}/stolen";
                await s.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {secondUrl}\r\nContent-Length: 0\r\n\r\n"));
                using var response = await call;
                Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            }
            Assert.False(second.Pending());
        }
        finally { second.Stop(); }
    }
}
