using System.Text;
using KernelFarm.Actors.Storage;
using Xunit;

namespace KernelFarm.Tests.Storage;

public sealed class LogCapTests
{
    [Theory]
    [InlineData(0, 10, 100, 10)]
    [InlineData(95, 10, 100, 5)]
    [InlineData(100, 10, 100, 0)]
    [InlineData(150, 10, 100, 0)]  // already past (a cut line follows the cap)
    [InlineData(0, 65536, long.MaxValue, 65536)]
    public void Admits_what_fits_under_the_cap(long length, int incoming, long max, int expected) =>
        Assert.Equal(expected, LogCap.Admit(length, incoming, max));

    [Fact]
    public void The_cut_line_is_one_line_of_its_own_naming_the_setting()
    {
        var line = Encoding.UTF8.GetString(LogCap.CutLine(2097152));
        Assert.StartsWith("\n==> kfarm: log cut at 2097152 bytes", line);
        Assert.EndsWith("\n", line);
        Assert.Equal(2, line.Count(c => c == '\n'));
        Assert.Contains("Farm:Limits:MaxLogBytes", line);
        Assert.DoesNotContain("step", line); // never taken for a step marker
    }

    [Fact]
    public void The_reason_names_the_cap_and_the_setting() =>
        Assert.Contains("limit of 2097152 bytes (Farm:Limits:MaxLogBytes)", LogCap.Reason(2097152));
}
