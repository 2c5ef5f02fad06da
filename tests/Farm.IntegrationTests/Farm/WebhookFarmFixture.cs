namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A <see cref="FarmWithServers"/> whose webhooks may call loopback (the test listeners live there) and
/// set Authorization: both are refused by default, so the farm is configured to allow them explicitly.
/// </summary>
public sealed class WebhookFarmFixture : Xunit.IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Allowances = new Dictionary<string, string>
    {
        ["Farm__Webhooks__AllowedNetworks__0"] = "127.0.0.0/8",
        ["Farm__Webhooks__AllowedHeaders__0"] = "Authorization",
    };

    public FarmWithServers Env { get; private set; } = null!;
    public async Task InitializeAsync() => Env = await FarmWithServers.StartAsync(environment: Allowances);
    public async Task DisposeAsync() => await Env.DisposeAsync();
}
