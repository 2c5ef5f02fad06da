using KernelFarm.Cli.Output;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(59.9, "59s")]
    [InlineData(60, "1m 00s")]
    [InlineData(187, "3m 07s")]
    [InlineData(3600, "1h 00m")]
    [InlineData(3720, "1h 02m")]
    [InlineData(86400 * 2 + 3 * 3600, "2d 03h")]
    [InlineData(-5, "0s")]
    public void Durations_are_short_and_fixed_width_below_the_top_unit(double seconds, string text)
    {
        Assert.Equal(text, Durations.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("1w", 7 * 86400)]
    [InlineData("2H", 7200)]
    public void Relative_times_are_durations_ago(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.ParseRelative(text));
    }

    [Theory]
    [InlineData("2026-11-27T08:00:00Z")]
    [InlineData("h")]
    [InlineData("-2h")]
    [InlineData("2x")]
    [InlineData("")]
    public void Other_text_is_not_a_relative_time(string text)
    {
        Assert.Null(Durations.ParseRelative(text));
    }

    [Fact]
    public void A_relative_since_becomes_an_iso_time_and_an_absolute_one_is_passed_on()
    {
        var now = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal("2026-11-27T08:00:00Z", Durations.ToTimeParameter("2h", now));
        Assert.Equal("2026-01-01T00:00:00+01:00", Durations.ToTimeParameter("2026-01-01T00:00:00+01:00", now));
    }

    [Fact]
    public void Timestamps_print_in_utc_without_fractions()
    {
        Assert.Equal("2026-11-27 07:00:03Z", Durations.Timestamp("2026-11-27T08:00:03.1234567+01:00"));
        Assert.Null(Durations.Timestamp(null));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(10 * 1024 * 1024, "10 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.0 GiB")]
    public void Sizes_use_binary_units(long bytes, string text)
    {
        Assert.Equal(text, Bytes.Format(bytes));
    }
}
