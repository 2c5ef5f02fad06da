using KernelFarm.Cli.Jobs;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class ArtifactPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kfarm-paths-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("bzImage")]
    [InlineData("modules/lib/modules/6.1.0/kernel/drivers/fake/fake.ko")]
    [InlineData("dtbs/arm/fake-vexpress.dtb")]
    [InlineData("..hidden-but-fine")]
    [InlineData("a..b/c")]
    public void Relative_paths_inside_the_folder_are_accepted(string path)
    {
        Assert.Null(ArtifactPath.Problem(path));
        Assert.Equal(Path.Combine(_root, path), ArtifactPath.Resolve(_root, path));
    }

    [Theory]
    [InlineData("../escape", "'..' in path")]
    [InlineData("modules/../../escape", "'..' in path")]
    [InlineData("..", "'..' in path")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("~/x", "absolute path")]
    [InlineData("./bzImage", "'.' in path")]
    [InlineData("a//b", "empty path segment")]
    [InlineData("dir/", "empty path segment")]
    [InlineData("", "empty path")]
    [InlineData("a\\..\\b", "backslash in path")]
    [InlineData("a\nb", "control character in path")]
    public void Paths_that_could_leave_the_folder_are_refused(string path, string problem)
    {
        Assert.Equal(problem, ArtifactPath.Problem(path));
        var e = Assert.Throws<CliException>(() => ArtifactPath.Resolve(_root, path));
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
    }

    [Fact]
    public void A_symbolic_link_inside_the_folder_is_not_written_through()
    {
        var outside = Directory.CreateTempSubdirectory("kfarm-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_root, "modules"), outside);
            var target = ArtifactPath.Resolve(_root, "modules/evil.ko");
            var e = Assert.Throws<CliException>(() => ArtifactPath.EnsureNoLinks(_root, target));
            Assert.Contains("symbolic link", e.Message);
        }
        finally
        {
            Directory.Delete(outside, true);
        }
    }

    [Fact]
    public void Plain_folders_pass_the_link_check()
    {
        Directory.CreateDirectory(Path.Combine(_root, "dtbs", "arm"));
        ArtifactPath.EnsureNoLinks(_root, ArtifactPath.Resolve(_root, "dtbs/arm/x.dtb"));
    }
}
