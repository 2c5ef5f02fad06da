using KernelFarm.Cli.Http;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(200, 0)]
    [InlineData(201, 0)]
    [InlineData(202, 0)]
    [InlineData(204, 0)]
    [InlineData(400, 2)]
    [InlineData(401, 4)]
    [InlineData(403, 4)]
    [InlineData(404, 3)]
    [InlineData(409, 5)]
    [InlineData(422, 5)]
    [InlineData(429, 6)]
    [InlineData(500, 6)]
    [InlineData(502, 6)]
    [InlineData(503, 6)]
    [InlineData(405, 6)]
    public void Http_statuses_map_to_documented_exit_codes(int status, int exit)
    {
        Assert.Equal(exit, ExitCodes.ForHttpStatus(status));
        if (status >= 400) Assert.Equal(exit, new FarmApiException(status, "x").ExitCode);
    }

    [Fact]
    public void The_codes_are_the_documented_numbers()
    {
        Assert.Equal((0, 1, 2, 3, 4, 5, 6),
            (ExitCodes.Ok, ExitCodes.Failure, ExitCodes.Usage, ExitCodes.NotFound, ExitCodes.Auth, ExitCodes.Conflict, ExitCodes.Unavailable));
    }
}
