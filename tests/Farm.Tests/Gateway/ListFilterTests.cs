using KernelFarm.Actors.Jobs;
using KernelFarm.Host.Gateway;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Gateway;

public sealed class ListFilterTests
{
    [Fact]
    public void Parameters_become_a_filter()
    {
        var (filter, problem) = ListFilter.Parse("Completed", "x86", "arm64", "2026-11-27T08:00:00Z", "2026-11-27T10:00:00+01:00");
        Assert.Null(problem);
        Assert.Equal(new JobFilter(JobStatus.Completed, "x86", "arm64",
            new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.FromHours(1))), filter);
    }

    [Fact]
    public void No_parameters_filter_nothing() => Assert.Equal(JobFilter.All, ListFilter.Parse(null, null, null, null, null).Filter);

    [Theory]
    [InlineData("3", null, null, null)]
    [InlineData("sleeping", null, null, null)]
    [InlineData(null, "", null, null)]
    [InlineData(null, null, "yesterday", null)]
    [InlineData(null, null, null, "2026-13-01")]
    [InlineData(null, null, "2026-11-27T09:00:00Z", "2026-11-27T08:00:00Z")]
    public void A_bad_parameter_is_refused(string? status, string? server, string? since, string? until) =>
        Assert.NotNull(ListFilter.Parse(status, server, null, since, until).Problem);
}
