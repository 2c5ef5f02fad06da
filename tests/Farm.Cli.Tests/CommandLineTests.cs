using KernelFarm.Cli.Commands;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>What the parser accepts and refuses (refusals are exit code 2 before anything is sent).</summary>
public sealed class CommandLineTests
{
    private static IReadOnlyList<string> Errors(params string[] args) =>
        KfarmCli.Create().Parse(args).Errors.Select(e => e.Message).ToList();

    [Theory]
    [InlineData("servers", "list")]
    [InlineData("servers", "list", "--json")]
    [InlineData("--json", "jobs", "show", "abc")]
    [InlineData("jobs", "list", "--status", "completed", "--limit", "5", "--since", "2h")]
    [InlineData("jobs", "submit", "--repo", "git://x", "--arch", "x86_64", "--make-opt", "-j4", "--make-opt=W=1", "--env", "A=1", "--env", "B=2", "--wait")]
    [InlineData("jobs", "logs", "abc", "-f")]
    [InlineData("jobs", "artifacts", "get", "abc", "bzImage", "vmlinux", "-o", "/tmp/out")]
    [InlineData("servers", "add", "--id", "b", "--ip", "1.2.3.4", "--user", "u", "--arch", "x86_64", "--arch", "arm64", "--toolchain", "gcc-12:x86_64", "--yes")]
    [InlineData("cluster", "leave", "akka.tcp://kernelfarm@127.0.0.1:4052")]
    [InlineData("actors", "--depth", "3")]
    [InlineData("catalog")]
    [InlineData("jobs", "submit", "--repo", "git://x", "--arch", "x86_64", "--target", "kernel", "--target", "headers")]
    [InlineData("jobs", "list", "--status", "a-state-a-newer-farm-added")] // the farm's catalog decides, at run time
    [InlineData("cluster", "tail", "--endpoint", "http://farm:8080", "--token", "t")]
    [InlineData("plans", "submit", "plan.yaml", "--git-repo", "git://x", "--git-ref", "master", "--git-sha", "abc", "--job-name", "boot", "--wait")]
    [InlineData("plan", "submit", "plan.json", "--git-repo", "git://x", "--git-ref", "master", "--json")]
    [InlineData("plan", "show", "abc")]
    [InlineData("plan", "list", "--limit", "5")]
    [InlineData("plans", "cancel", "abc", "--json")]
    [InlineData("series", "submit", "--mbox", "p.mbox", "--repo", "git://x", "--arch", "x86_64", "--config", "tinyconfig", "--wait")]
    [InlineData("series", "submit", "--mbox", "-", "--repo", "git://x", "--branch", "next", "--commit", "abc", "--arch", "x86_64", "--toolchain", "gcc-12",
        "--fragment", "CONFIG_X=y", "--make-opt", "-j2", "--env", "A=1", "--priority", "3", "--timeout-minutes", "30", "--boot-test",
        "--continue-on-failure", "--idempotency-key", "k", "--json")]
    [InlineData("series", "submit", "--range", "a..b", "--repo", "git://x", "--arch", "x86_64")]
    [InlineData("series", "submit", "-f", "series.yaml")]
    [InlineData("series", "show", "abc")]
    [InlineData("series", "show", "abc", "--text")]
    [InlineData("--json", "series", "show", "abc")]
    [InlineData("bisect", "start", "--repo", "git://x", "--arch", "x86_64", "--toolchain", "gcc-12", "--good", "v6.1", "--bad", "HEAD", "--criterion", "build_fails", "--wait")]
    [InlineData("bisect", "start", "--repo", "git://x", "--branch", "next", "--arch", "x86_64", "--toolchain", "gcc-12", "--good", "a", "--bad", "b",
        "--config", "tinyconfig", "--target", "vmlinux", "--fragment", "CONFIG_X=y", "--make-opt", "-j2", "--artifact", "vmlinux", "--env", "A=1",
        "--priority", "3", "--timeout-minutes", "30", "--no-cache", "--criterion", "diagnostic", "--match", "-Wcpp", "--parallel", "4", "--json")]
    [InlineData("bisect", "start", "-f", "bisection.yaml", "--criterion", "size_grows", "--threshold-bytes", "4096")]
    [InlineData("bisect", "start", "-f", "bisection.yaml", "--criterion", "boot_fails")]
    [InlineData("bisect", "show", "abc")]
    [InlineData("--json", "bisect", "show", "abc")]
    [InlineData("bisect", "cancel", "abc")]
    public void Well_formed_lines_parse(params string[] args)
    {
        Assert.Empty(Errors(args));
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("jobs")]
    [InlineData("jobs", "show")]
    [InlineData("jobs", "list", "--limit", "many")]
    [InlineData("jobs", "list", "--bogus")]
    [InlineData("servers", "show", "a", "b")]
    [InlineData("actors", "--depth", "-1")]
    [InlineData("cluster", "leave")]
    [InlineData("plan", "submit", "plan.yaml", "--git-ref", "master")]
    [InlineData("plan", "submit", "plan.yaml", "--git-repo", "git://x")]
    [InlineData("plan", "submit", "--git-repo", "git://x", "--git-ref", "master")]
    [InlineData("plan", "show")]
    [InlineData("plan", "list", "--limit", "many")]
    [InlineData("series")]
    [InlineData("series", "show")]
    [InlineData("series", "show", "a", "b")]
    [InlineData("series", "submit", "--mbox")]
    [InlineData("series", "submit", "--mbox", "p.mbox", "--priority", "high")]
    [InlineData("series", "submit", "--mbox", "p.mbox", "--no-cache")]     // a series is always built: no cached result to take
    [InlineData("series", "submit", "--mbox", "p.mbox", "--target", "kernel")] // a series builds the kernel image
    [InlineData("series", "submit", "--mbox", "p.mbox", "--follow")]
    [InlineData("bisect")]
    [InlineData("bisect", "show")]
    [InlineData("bisect", "cancel", "a", "b")]
    [InlineData("bisect", "start", "--criterion", "slower")]              // the farm's four kinds only
    [InlineData("bisect", "start", "--criterion", "Build_Fails")]
    [InlineData("bisect", "start", "--threshold-bytes", "4k")]
    [InlineData("bisect", "start", "--parallel", "all")]
    [InlineData("bisect", "start", "--commit", "abc")]                    // each step builds its own commit
    [InlineData("bisect", "start", "--boot-test")]                        // --criterion boot_fails boots each step
    [InlineData("bisect", "start", "--idempotency-key", "k")]             // the bisection API takes none
    public void Malformed_lines_are_refused(params string[] args)
    {
        Assert.NotEmpty(Errors(args));
    }

    [Fact]
    public void A_make_option_that_looks_like_a_flag_is_taken_as_the_value()
    {
        var root = KfarmCli.Create();
        var parse = root.Parse(["jobs", "submit", "--make-opt", "-j4", "--make-opt", "-k"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["-j4", "-k"], parse.GetValue<string[]>("--make-opt")!);
    }

    [Fact]
    public void A_mbox_of_dash_is_stdin_not_a_flag()
    {
        var parse = KfarmCli.Create().Parse(["series", "submit", "--mbox", "-", "--repo", "git://x", "--arch", "x86_64"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("-", parse.GetValue<string?>("--mbox"));
    }

    [Theory]
    [InlineData("series", "submit", "--repo", "git://x", "--arch", "x86_64")]                              // no patches
    [InlineData("series", "submit", "--mbox", "p.mbox", "--range", "a..b", "--repo", "git://x", "--arch", "x86_64")]
    [InlineData("series", "submit", "--range", "HEAD~2..HEAD", "--repo", "git://x", "--arch", "x86_64")]
    [InlineData("series", "submit", "--mbox", "/nonexistent/p.mbox", "--repo", "git://x", "--arch", "x86_64")]
    public async Task Series_submit_refuses_bad_patches_with_2_before_reaching_the_farm(params string[] args)
    {
        // an endpoint nothing listens on: reaching the farm would be exit 6
        Assert.Equal(ExitCodes.Usage, await KfarmCli.RunAsync([.. args, "--endpoint", "http://127.0.0.1:9/"]));
    }

    [Theory]
    [InlineData("bisect", "start", "--arch", "x86_64", "--good", "a", "--bad", "b", "--criterion", "build_fails")]   // no repository
    [InlineData("bisect", "start", "--repo", "git://x", "--arch", "x86_64", "--good", "a", "--bad", "b", "--match", "x")] // --match without a criterion
    [InlineData("bisect", "start", "--repo", "git://x", "--arch", "x86_64", "--criterion", "nope")]
    [InlineData("bisect", "start", "-f", "/nonexistent/bisection.yaml")]
    public async Task Bisect_start_refuses_bad_flags_with_2_before_reaching_the_farm(params string[] args)
    {
        Assert.Equal(ExitCodes.Usage, await KfarmCli.RunAsync([.. args, "--endpoint", "http://127.0.0.1:9/"]));
    }

    [Fact]
    public async Task Bad_usage_exits_with_2()
    {
        Assert.Equal(ExitCodes.Usage, await KfarmCli.RunAsync(["jobs", "list", "--limit", "x"]));
    }
}
