using KernelFarm.Actors;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace KernelFarm.Tests;

public sealed class FarmSettingsTests
{
    [Fact]
    public void Retry_defaults()
    {
        var s = new FarmSettings();
        Assert.Equal(3, s.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), s.RetryBackoff);
        Assert.Equal(TimeSpan.FromHours(2), s.DefaultJobTimeout);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(3, 10)]
    [InlineData(4, 20)]
    [InlineData(5, 40)]
    [InlineData(12, 5 * 1024)]
    [InlineData(13, 5 * 1024)] // capped: doubling stops after ten times
    [InlineData(int.MaxValue, 5 * 1024)]
    [InlineData(1, 5)] // out of range: clamped, never shorter than the base back-off
    [InlineData(0, 5)]
    public void Back_off_doubles_for_each_further_try(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new FarmSettings { RetryBackoff = TimeSpan.FromSeconds(5) }.BackoffBefore(attempt));

    [Fact]
    public void Zero_back_off_means_immediate_retries() =>
        Assert.Equal(TimeSpan.Zero, new FarmSettings { RetryBackoff = TimeSpan.Zero }.BackoffBefore(3));

    [Fact]
    public void Storage_limits_have_defaults_and_bind_from_Farm_Limits()
    {
        var defaults = new FarmSettings().Limits;
        Assert.Equal(256L << 20, defaults.MaxLogBytes);
        Assert.Equal(8L << 30, defaults.MaxArtifactBytes);
        Assert.Equal(20_000, defaults.MaxArtifactFiles);

        // Farm__Limits__MaxLogBytes=2097152 as the environment provider maps it
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Farm:Limits:MaxLogBytes"] = "2097152",
            ["Farm:Limits:MaxArtifactBytes"] = "1000",
            ["Farm:Limits:MaxArtifactFiles"] = "7",
        }).Build().GetSection("Farm").Get<FarmSettings>()!;
        Assert.Equal(2097152, settings.Limits.MaxLogBytes);
        Assert.Equal(1000, settings.Limits.MaxArtifactBytes);
        Assert.Equal(7, settings.Limits.MaxArtifactFiles);
    }
}
