using System.Text.Json.Nodes;
using KernelFarm.Cli.Plans;
using Xunit;
using static KernelFarm.Cli.Tests.PlanMatrixTests;

namespace KernelFarm.Cli.Tests;

/// <summary>The display while `plans submit --wait` waits: a line per change, or the matrix redrawn on a terminal.</summary>
public sealed class PlanProgressTests
{
    private static JsonNode At(double seconds, string state, params string[] builds)
    {
        var plan = Plan(builds);
        plan["duration_s"] = seconds;
        plan["state"] = state;
        plan["counts"] = new JsonObject();
        return plan;
    }

    [Fact]
    public void Without_a_terminal_each_change_is_one_line_and_a_shared_cell_names_the_build()
    {
        var output = new StringWriter();
        var progress = new PlanProgress(output, terminal: false, () => 80);
        progress.Show(At(0, "running", Build(0, "x86_64", "pending"), Build(1, "x86_64", "pending"), Build(2, "arm64", "queued")));
        Assert.Equal("", output.ToString()); // the first look is what submit printed
        progress.Show(At(2, "running", Build(0, "x86_64", "building"), Build(1, "x86_64", "queued"), Build(2, "arm64", "queued")));
        progress.Show(At(4, "running", Build(0, "x86_64", "building"), Build(1, "x86_64", "queued"), Build(2, "arm64", "queued")));
        progress.Finish(At(6, "ended", Build(0, "x86_64", "completed"), Build(1, "x86_64", "failed"), Build(2, "arm64", "completed")));
        Assert.Equal(
            "x86_64 tinyconfig (jobs[0].builds[0]): building\n" +
            "x86_64 tinyconfig (jobs[0].builds[1]): queued\n" +
            "x86_64 tinyconfig (jobs[0].builds[0]): completed\n" +
            "x86_64 tinyconfig (jobs[0].builds[1]): failed\n" +
            "arm64 tinyconfig: completed\n", output.ToString().Replace("\r\n", "\n"));
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void Without_a_terminal_a_long_quiet_spell_prints_the_counts_now_and_then()
    {
        var output = new StringWriter();
        var progress = new PlanProgress(output, terminal: false, () => 80);
        progress.Show(At(0, "running", Build(0, "x86_64", "building")));
        progress.Show(At(10, "running", Build(0, "x86_64", "building")));
        Assert.Equal("", output.ToString());
        progress.Show(At(31, "running", Build(0, "x86_64", "building")));
        Assert.StartsWith("plan p1 running: ", output.ToString());
    }

    [Fact]
    public void On_a_terminal_the_matrix_is_redrawn_in_place_and_erased_at_the_end()
    {
        var output = new StringWriter();
        var progress = new PlanProgress(output, terminal: true, () => 80);
        progress.Show(At(0, "running", Build(0, "x86_64", "queued"), Build(1, "arm64", "queued")));
        var first = output.ToString();
        Assert.Equal("ARCH    tinyconfig\nx86_64  queued\narm64   queued\nplan p1 running: no builds (0s so far)\n", first);
        progress.Show(At(2, "running", Build(0, "x86_64", "building"), Build(1, "arm64", "queued")));
        var second = output.ToString()[first.Length..];
        Assert.StartsWith("\u001b[4A\r\u001b[J", second); // back over the four lines drawn, erased
        Assert.Contains("x86_64  building\n", second);
        progress.Finish(At(4, "ended", Build(0, "x86_64", "completed"), Build(1, "arm64", "completed")));
        Assert.EndsWith("\u001b[4A\r\u001b[J", output.ToString());
    }

    [Fact]
    public void A_terminal_frame_never_wraps()
    {
        var frame = PlanProgress.Frame(At(0, "running", Build(0, "x86_64", "queued",
            kconfig: "[\"tinyconfig\", \"CONFIG_A_VERY_LONG_OPTION_NAME=y\", \"CONFIG_ANOTHER_LONG_OPTION=y\"]")), 30);
        Assert.All(frame, l => Assert.True(l.Length <= 29, l));
        Assert.Contains(frame, l => l.StartsWith("[1] ") && l.EndsWith('…'));
    }
}
