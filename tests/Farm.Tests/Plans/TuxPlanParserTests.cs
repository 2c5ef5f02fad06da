using KernelFarm.Actors.Plans;
using Xunit;

namespace KernelFarm.Tests.Plans;

public sealed class TuxPlanParserTests
{
    /// <summary>Shaped like ClangBuiltLinux's generated plans (tuxsuite/*.tux.yml), with an anchor and a merge key.</summary>
    private const string ClangBuiltLinuxStyle = """
        version: 1
        name: mainline clang-17
        description: mainline clang-17
        tiers:
        jobs:
        - name: defconfigs
          builds:
          - &arm64 {target_arch: arm64, toolchain: clang-17, kconfig: defconfig, targets: [config, kernel, modules], make_variables: {LLVM: 1, LLVM_IAS: 1}}
          - <<: *arm64
            kconfig: [defconfig, CONFIG_CPU_BIG_ENDIAN=y, "# CONFIG_DEBUG_INFO is not set"]
          - target_arch: x86_64
            toolchain: clang-17
            kconfig: tinyconfig
            kernel_image: bzImage
        - name: distribution_configs
          build: {target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, kernel/configs/kvm_guest.config]}
          tests:
          - {device: qemu-x86_64, tests: [ltp-smoke]}
        """;

    [Fact]
    public void A_clangbuiltlinux_style_plan_reads_with_anchors_merge_keys_and_numbers()
    {
        var (plan, errors) = TuxPlanParser.Parse(ClangBuiltLinuxStyle.Replace("tiers:\n", ""));
        Assert.Empty(errors);
        Assert.Equal("mainline clang-17", plan!.Name);
        var builds = plan.Builds.ToList();
        Assert.Equal(4, builds.Count);
        Assert.Equal(["jobs[0].builds[0]", "jobs[0].builds[1]", "jobs[0].builds[2]", "jobs[1].build"], builds.Select(b => b.Path));
        Assert.Equal(["defconfig"], builds[0].Kconfig);
        Assert.Equal("1", builds[0].MakeVariables["LLVM"]); // a YAML number, as written
        Assert.Equal(["config", "kernel", "modules"], builds[0].Targets!);
        // the merge key copies the anchor's fields and the build overrides kconfig
        Assert.Equal("arm64", builds[1].TargetArch);
        Assert.Equal(["defconfig", "CONFIG_CPU_BIG_ENDIAN=y", "# CONFIG_DEBUG_INFO is not set"], builds[1].Kconfig);
        Assert.Equal("1", builds[1].MakeVariables["LLVM_IAS"]);
        Assert.Null(builds[2].Targets);
        Assert.Equal("bzImage", builds[2].KernelImage);
        Assert.Equal(["defconfigs", "defconfigs", "defconfigs", "distribution_configs"], builds.Select(b => b.JobName));
        Assert.Equal([false, false, false, true], builds.Select(b => b.Tests));
    }

    [Fact]
    public void The_same_plan_as_json_reads_the_same()
    {
        const string json = """
            {"version": 1, "name": "j", "jobs": [{"name": "a", "builds": [
              {"target_arch": "arm64", "toolchain": "gcc-12", "kconfig": ["defconfig", "CONFIG_X=y"], "make_variables": {"W": 1}}]}]}
            """;
        var (plan, errors) = TuxPlanParser.Parse(json);
        Assert.Empty(errors);
        var build = Assert.Single(plan!.Builds);
        Assert.Equal(("arm64", "gcc-12", "1"), (build.TargetArch, build.Toolchain, build.MakeVariables["W"]));
        Assert.Equal(["defconfig", "CONFIG_X=y"], build.Kconfig);
    }

    [Theory]
    [InlineData("version: 1\njobs: []", "jobs", "non-empty")]
    [InlineData("version: 2\njobs: [{build: {target_arch: x86_64, toolchain: gcc-12}}]", "version", "must be 1")]
    [InlineData("jobs: [{build: {target_arch: x86_64, toolchain: gcc-12}}]", "version", "required")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12}, {toolchain: gcc-12}]}]", "jobs[0].builds[1].target_arch", "required")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: {a: b}}]}]", "jobs[0].builds[0].kconfig", "string or a list")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: [defconfig, [x]]}]}]", "jobs[0].builds[0].kconfig[1]", "must be a string")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: []}]}]", "jobs[0].builds[0].kconfig", "empty")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, make_variables: [W=1]}]}]", "jobs[0].builds[0].make_variables", "mapping")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, make_variables: {W: [1]}}]}]", "jobs[0].builds[0].make_variables.W", "string or a number")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, targets: kernel}]}]", "jobs[0].builds[0].targets", "list")]
    [InlineData("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, image_sha: abc}]}]", "jobs[0].builds[0].image_sha", "not a field")]
    [InlineData("version: 1\njobs: [{name: a}]", "jobs[0]", "no build")]
    [InlineData("version: 1\njobs: [{build: {target_arch: x86_64, toolchain: gcc-12}, builds: []}]", "jobs[0]", "both")]
    [InlineData("version: 1\njobs: [{builds: {target_arch: x86_64}}]", "jobs[0].builds", "list")]
    [InlineData("version: 1\njobs: [x]", "jobs[0]", "mapping")]
    [InlineData("version: 1\nsecret: 1\njobs: [{build: {target_arch: x86_64, toolchain: gcc-12}}]", "secret", "not a field")]
    [InlineData("- a\n- b", "plan", "mapping")]
    [InlineData("version: 1\njobs: [{build: {target_arch: x86_64", "plan", "not valid YAML")]
    [InlineData("version: 1\n---\nversion: 1", "plan", "one YAML")]
    public void A_malformed_plan_names_the_path_of_each_problem(string text, string path, string message)
    {
        var (plan, errors) = TuxPlanParser.Parse(text);
        Assert.Null(plan);
        Assert.Contains(errors, e => e.Field == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public void Deep_nesting_is_refused_before_the_tree_is_built(string open, string close)
    {
        // 100,000 levels: YamlDotNet's recursive tree builder would overflow the stack and end the process
        const int depth = 100_000;
        var text = "version: 1\njobs: " + (open == "- " ? string.Concat(Enumerable.Range(0, 200).Select(i => "\n" + new string(' ', i) + "- ")) + "x"
            : string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth)));
        var (plan, errors) = TuxPlanParser.Parse(text);
        Assert.Null(plan);
        Assert.Equal("plan", Assert.Single(errors).Field);
        Assert.Contains("nests deeper", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var (_, errors) = TuxPlanParser.Parse("version: 1\njobs: [{builds: [{toolchain: gcc-12}, {target_arch: arm64}]}]");
        Assert.Equal(["jobs[0].builds[0].target_arch", "jobs[0].builds[1].toolchain"], errors.Select(e => e.Field));
    }

    [Fact]
    public void More_builds_than_the_limit_are_refused_before_they_are_read()
    {
        var builds = string.Join(", ", Enumerable.Repeat("{target_arch: x86_64, toolchain: gcc-12}", TuxPlanParser.MaxBuilds + 1));
        var (plan, errors) = TuxPlanParser.Parse($"version: 1\njobs: [{{builds: [{builds}]}}]");
        Assert.Null(plan);
        Assert.Contains(errors, e => e.Field == "jobs" && e.Message.Contains("more than", StringComparison.Ordinal));
    }

    [Fact]
    public void An_alias_bomb_is_bounded_by_the_build_limit()
    {
        // each level doubles: 2^20 builds if aliases were expanded blindly
        var lines = new List<string> { "version: 1", "a0: &a0 [{target_arch: x86_64, toolchain: gcc-12}]" };
        for (var i = 1; i <= 20; i++) lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]");
        lines.Add("jobs: [{builds: *a20}]");
        var (plan, errors) = TuxPlanParser.Parse(string.Join('\n', lines));
        Assert.Null(plan);
        Assert.NotEmpty(errors); // unknown fields a0…a20, and builds that are lists rather than mappings: refused, quickly
    }

    [Fact]
    public void Deep_alias_fan_out_within_jobs_is_refused_at_the_build_limit()
    {
        var lines = new List<string> { "version: 1", "jobs:" };
        lines.Add("- &j {name: x, builds: [" + string.Join(", ", Enumerable.Repeat("{target_arch: x86_64, toolchain: gcc-12}", 100)) + "]}");
        for (var i = 0; i < 10_000; i++) lines.Add("- *j");
        var (plan, errors) = TuxPlanParser.Parse(string.Join('\n', lines));
        Assert.Null(plan);
        Assert.Contains(errors, e => e.Field == "jobs" && e.Message.Contains($"more than {TuxPlanParser.MaxBuilds}", StringComparison.Ordinal));
    }
}
