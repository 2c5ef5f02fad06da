using KernelFarm.Cli.Plans;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>A plan file is sent as written, as YAML or JSON by its extension, else by its content.</summary>
public sealed class PlanFileTests
{
    [Theory]
    [InlineData("plan.yaml", "{\"version\": 1}", "application/yaml")] // JSON is YAML too; the name says which
    [InlineData("plan.YML", "version: 1", "application/yaml")]
    [InlineData("plan.json", "version: 1", "application/json")]
    [InlineData("plan", "  \n{\"version\": 1}", "application/json")]
    [InlineData("plan.txt", "version: 1\njobs: []", "application/yaml")]
    public void The_media_type_follows_the_extension_else_the_content(string path, string text, string expected)
    {
        Assert.Equal(expected, PlanFile.MediaTypeOf(path, text));
    }

    [Fact]
    public void The_bytes_are_sent_unchanged_and_an_empty_or_missing_file_is_a_usage_error()
    {
        var dir = Directory.CreateTempSubdirectory("kfarm-plan-").FullName;
        try
        {
            var path = Path.Combine(dir, "plan.yaml");
            var text = "version: 1\n# a comment stays\njobs:\n- name: a\n  build: &b {target_arch: x86_64, toolchain: gcc-12}\n";
            File.WriteAllText(path, text);
            var file = PlanFile.Load(path);
            Assert.Equal(text, System.Text.Encoding.UTF8.GetString(file.Content));
            Assert.Equal("application/yaml", file.MediaType);

            File.WriteAllText(path, " \n");
            Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => PlanFile.Load(path)).ExitCode);
            Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => PlanFile.Load(Path.Combine(dir, "missing.yaml"))).ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
