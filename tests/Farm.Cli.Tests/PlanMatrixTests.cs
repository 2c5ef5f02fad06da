using System.Text.Json.Nodes;
using KernelFarm.Cli.Plans;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>A plan's builds as an architecture × config matrix (PlanView JSON → rows, columns, cells).</summary>
public sealed class PlanMatrixTests
{
    internal static string Build(int index, string arch, string state, string toolchain = "gcc-12", string kconfig = "[\"tinyconfig\"]",
        string? jobId = null, string? unsupported = null) =>
        $$"""
        {"index":{{index}},"path":"jobs[0].builds[{{index}}]","group":"g","name":"{{arch}} {{toolchain}} b{{index}}","target_arch":"{{arch}}",
         "toolchain":"{{toolchain}}","kconfig":{{kconfig}},"state":"{{state}}","job_id":{{(jobId is null ? "null" : $"\"{jobId}\"")}},
         "unsupported":{{(unsupported is null ? "null" : $"\"{unsupported}\"")}}}
        """;

    internal static JsonNode Plan(params string[] builds) => JsonNode.Parse(
        $$"""{"id":"p1","state":"running","result":null,"builds":[{{string.Join(",", builds)}}]}""")!;

    private static PlanMatrix Matrix(params string[] builds) => new(PlanBuild.All(Plan(builds)));

    [Fact]
    public void Rows_are_architectures_and_columns_configs_in_the_order_the_plan_names_them()
    {
        var m = Matrix(
            Build(0, "x86_64", "completed"),
            Build(1, "arm64", "building", kconfig: "[\"defconfig\"]"),
            Build(2, "arm64", "queued"),
            Build(3, "x86_64", "failed", kconfig: "[\"tinyconfig\", \"CONFIG_FAKE_BROKEN=y\"]"),
            Build(4, "i386", "pending", kconfig: "[\"defconfig\"]"));
        Assert.Equal(["x86_64", "arm64", "i386"], m.Rows);
        Assert.Equal(["tinyconfig", "defconfig", "tinyconfig+CONFIG_FAKE_BROKEN=y"], m.Columns);
        Assert.Equal("completed", m.Cell("x86_64", "tinyconfig"));
        Assert.Equal("building", m.Cell("arm64", "defconfig"));
        Assert.Equal("failed", m.Cell("x86_64", "tinyconfig+CONFIG_FAKE_BROKEN=y"));
        Assert.Null(m.Cell("i386", "tinyconfig")); // no such build
        Assert.Equal(
            "ARCH    tinyconfig  defconfig  tinyconfig+CONFIG_FAKE_BROKEN=y\n" +
            "x86_64  completed   -          failed\n" +
            "arm64   queued      building   -\n" +
            "i386    -           pending    -\n", m.Render(120));
    }

    [Fact]
    public void An_unsupported_build_says_so_in_its_cell()
    {
        var m = Matrix(Build(0, "x86_64", "completed"), Build(1, "powerpc", "unsupported", kconfig: "[\"ppc64_defconfig\"]", unsupported: "architecture powerpc is not in the farm's catalogue"));
        Assert.Equal("unsupported", m.Cell("powerpc", "ppc64_defconfig"));
        Assert.Contains("powerpc  -           unsupported", m.Render(120));
    }

    [Fact]
    public void Several_toolchains_put_the_toolchain_in_the_column()
    {
        var m = Matrix(Build(0, "arm64", "completed", toolchain: "gcc-12"), Build(1, "arm64", "failed", toolchain: "clang-14"));
        Assert.Equal(["gcc-12:tinyconfig", "clang-14:tinyconfig"], m.Columns);
        Assert.Equal("failed", m.Cell("arm64", "clang-14:tinyconfig"));
    }

    [Fact]
    public void Builds_sharing_a_cell_show_each_state_with_how_many()
    {
        var m = Matrix(Build(0, "x86_64", "completed"), Build(1, "x86_64", "failed"), Build(2, "x86_64", "completed"), Build(3, "arm64", "queued"));
        Assert.Equal(["tinyconfig"], m.Columns);
        Assert.Equal("completed x2, failed", m.Cell("x86_64", "tinyconfig"));
        Assert.Equal(3, m.Builds("x86_64", "tinyconfig").Count);
        Assert.True(m.Shared(PlanBuild.All(Plan(Build(1, "x86_64", "failed")))[0]));
        Assert.False(m.Shared(PlanBuild.All(Plan(Build(3, "arm64", "queued")))[0]));
    }

    [Fact]
    public void No_kconfig_is_defconfig_and_long_items_are_shortened_as_the_farm_names_builds()
    {
        var longFragment = "CONFIG_" + new string('X', 50) + "=y";
        var m = Matrix(Build(0, "x86_64", "queued", kconfig: "[]"), Build(1, "x86_64", "queued", kconfig: $"[\"defconfig\", \"{longFragment}\"]"));
        Assert.Equal(["defconfig", $"defconfig+{longFragment[..37]}..."], m.Columns);
    }

    [Fact]
    public void A_matrix_too_wide_for_the_width_numbers_its_columns_with_a_legend()
    {
        var m = Matrix(
            Build(0, "x86_64", "completed", kconfig: "[\"allnoconfig\", \"CONFIG_DEBUG_KERNEL=y\", \"# CONFIG_WERROR is not set\"]"),
            Build(1, "x86_64", "failed", kconfig: "[\"tinyconfig\", \"CONFIG_DEBUG_KERNEL=y\", \"# CONFIG_WERROR is not set\"]"));
        Assert.Equal(
            "ARCH    [1]        [2]\n" +
            "x86_64  completed  failed\n" +
            "[1] allnoconfig+CONFIG_DEBUG_KERNEL=y+# CONFIG_WERROR is not set\n" +
            "[2] tinyconfig+CONFIG_DEBUG_KERNEL=y+# CONFIG_WERROR is not set\n", m.Render(80));
        Assert.StartsWith("ARCH    allnoconfig+", m.Render(200));
    }

    [Fact]
    public void A_plan_without_builds_says_so()
    {
        Assert.Equal("no builds\n", Matrix().Render(80));
    }
}
