namespace KernelFarm.IntegrationTests.Farm;

/// <summary>xunit class fixture: one <see cref="FarmWithServers"/> shared by a test class.</summary>
public sealed class FarmFixture : Xunit.IAsyncLifetime
{
    public FarmWithServers Env { get; private set; } = null!;
    public async Task InitializeAsync() => Env = await FarmWithServers.StartAsync();
    public async Task DisposeAsync() => await Env.DisposeAsync();
}
