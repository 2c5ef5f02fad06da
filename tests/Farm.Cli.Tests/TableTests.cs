using KernelFarm.Cli.Output;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class TableTests
{
    [Fact]
    public void Columns_are_as_wide_as_their_widest_cell_with_two_spaces_between()
    {
        var text = new Table("ID", "STATUS", "SERVER")
            .Add("a", "completed", "x86")
            .Add("long-id", "failed", "arm")
            .Render();
        Assert.Equal(
            "ID       STATUS     SERVER\n" +
            "a        completed  x86\n" +
            "long-id  failed     arm\n", text);
    }

    [Fact]
    public void The_header_sets_the_width_when_it_is_the_widest()
    {
        Assert.Equal("IDENTIFIER  X\na           b\n", new Table("IDENTIFIER", "X").Add("a", "b").Render());
    }

    [Fact]
    public void Lines_have_no_trailing_spaces()
    {
        var text = new Table("A", "B").Add("x", "").Add("y", "long value").Render();
        Assert.All(text.Split('\n'), line => Assert.Equal(line.TrimEnd(), line));
    }

    [Fact]
    public void Right_aligned_columns_pad_on_the_left()
    {
        var text = new Table("ID", "SLOTS", "HEALTH").AlignRight(1).Add("x86", "1/2", "healthy").Add("big", "10/16", "unhealthy").Render();
        Assert.Equal(
            "ID   SLOTS  HEALTH\n" +
            "x86    1/2  healthy\n" +
            "big  10/16  unhealthy\n", text);
    }

    [Fact]
    public void Missing_cells_show_as_a_dash()
    {
        Assert.Equal("A  B\n-  -\n", new Table("A", "B").Add(null, "").Render());
    }

    [Fact]
    public void A_newline_or_tab_in_a_cell_does_not_break_the_row()
    {
        var text = new Table("A", "B").Add("one\ntwo", "x\ty").Render();
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("one two  x y", text);
    }

    [Fact]
    public void An_empty_table_is_its_header()
    {
        Assert.Equal("ID  STATUS\n", new Table("ID", "STATUS").Render());
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Table("A", "B").Add("only one"));
    }

    [Fact]
    public void Details_align_values_and_indent_continuation_lines()
    {
        var text = new Details().Add("id", "x86").Add("toolchains", "gcc-12: x86_64\nclang-14: arm64").Add("skipped", null).Render();
        Assert.Equal(
            "id:         x86\n" +
            "toolchains: gcc-12: x86_64\n" +
            "            clang-14: arm64\n", text);
    }
}
