using KernelFarm.Actors;
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
}
