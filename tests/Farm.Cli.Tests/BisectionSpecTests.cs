using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Jobs;
using KernelFarm.Messages.Bisections;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>`bisect start`'s request body, and the refusals that happen before anything is sent (exit 2).</summary>
public sealed class BisectionSpecTests
{
    private static readonly JobSpec Job = new() { Repo = "git://h/linux.git", Arch = "x86_64", Toolchain = "gcc-12", KernelConfig = "tinyconfig" };

    private static CliException Refused(Action act)
    {
        var e = Assert.Throws<CliException>(act);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        return e;
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    [Fact]
    public void The_body_is_the_build_fields_the_ends_the_criterion_and_the_parallelism()
    {
        var body = new BisectionSpec
        {
            Job = Job with { Branch = "next", Fragments = ["CONFIG_X=y"], MakeOpts = ["W=1"], Env = ["A=1"], Priority = 5, TimeoutMinutes = 30, NoCache = true },
            Good = "v6.1", Bad = "0123456789abcdef", Criterion = "build_fails", Match = "undefined reference", Parallel = 4,
        }.ToRequest(null);
        AssertJson("""
            {"source_repository":"git://h/linux.git","branch":"next","target_architecture":"x86_64","toolchain":"gcc-12","priority":5,"no_cache":true,
             "build_config":{"kernel_config":"tinyconfig","kconfig_fragments":["CONFIG_X=y"],"extra_make_args":["W=1"],"timeout_minutes":30,"custom_env":{"A":"1"}},
             "good":"v6.1","bad":"0123456789abcdef","max_parallel":4,"criterion":{"kind":"build_fails","match":"undefined reference"}}
            """, body);
    }

    [Fact]
    public void A_size_criterion_takes_its_threshold_and_nothing_unasked_is_sent()
    {
        var body = new BisectionSpec { Job = Job, Good = "a", Bad = "b", Criterion = "size_grows", ThresholdBytes = 5_000_000_000 }.ToRequest(null);
        Assert.Equal(5_000_000_000, body["criterion"]!["threshold_bytes"]!.GetValue<long>());
        Assert.Null(body["criterion"]!["match"]);
        Assert.Null(body["max_parallel"]); // the farm's default: the free slots at each round
        Assert.Null(body["commit_hash"]);  // not a bisection field: each step builds its own commit
        Assert.Null(body["no_cache"]);
        Assert.Null(body["build_config"]!["boot_test"]); // boot_fails boots each step; no other criterion needs it
    }

    [Fact]
    public void What_the_farm_checks_is_left_to_it_so_that_its_400_names_every_missing_field_at_once()
    {
        var body = new BisectionSpec { Job = new JobSpec { Repo = "git://a", Arch = "arm64" } }.ToRequest(null);
        AssertJson("""{"source_repository":"git://a","target_architecture":"arm64"}""", body);
    }

    [Theory]
    [InlineData(null, "x86_64", "--repo")]
    [InlineData("git://a", null, "--arch")]
    public void A_bisection_without_repository_or_architecture_is_refused_as_a_job_is(string? repo, string? arch, string named)
    {
        Assert.Contains(named, Refused(() => new BisectionSpec { Job = new JobSpec { Repo = repo, Arch = arch }, Good = "a", Bad = "b" }.ToRequest(null)).Message);
    }

    [Fact]
    public void A_commit_is_refused_each_step_builds_its_own()
    {
        Assert.Contains("takes no --commit", Refused(() => new BisectionSpec { Job = Job with { Commit = "abc" } }.ToRequest(null)).Message);
    }

    [Theory]
    [InlineData("match")]
    [InlineData("threshold")]
    public void Match_or_threshold_without_a_criterion_is_refused_naming_the_kinds(string flag)
    {
        var spec = flag == "match" ? new BisectionSpec { Job = Job, Match = "x" } : new BisectionSpec { Job = Job, ThresholdBytes = 1 };
        Assert.Equal($"--{(flag == "match" ? "match" : "threshold-bytes")} refines a criterion: give --criterion build_fails|diagnostic|boot_fails|size_grows",
            Refused(() => spec.ToRequest(null)).Message);
    }

    [Fact]
    public void Flags_override_the_file_field_by_field_and_criterion_replaces_the_files_criterion_whole()
    {
        var file = JsonNode.Parse("""
            {"source_repository":"git://a","target_architecture":"arm64","toolchain":"gcc-12","good":"v1","bad":"v2","commit_hash":"HEAD",
             "max_parallel":2,"criterion":{"kind":"diagnostic","match":"-Wcpp"},"webhooks":[{"url":"https://hooks.example/b"}]}
            """)!.AsObject();

        var asIs = new BisectionSpec().ToRequest(file);
        AssertJson("""
            {"source_repository":"git://a","target_architecture":"arm64","toolchain":"gcc-12","good":"v1","bad":"v2",
             "max_parallel":2,"criterion":{"kind":"diagnostic","match":"-Wcpp"},"webhooks":[{"url":"https://hooks.example/b"}]}
            """, asIs); // a job file's commit_hash is dropped: a bisection has none

        var refined = new BisectionSpec { Bad = "v3", Match = "-Wunused" }.ToRequest(file);
        Assert.Equal(("v1", "v3"), (refined["good"]!.GetValue<string>(), refined["bad"]!.GetValue<string>()));
        AssertJson("""{"kind":"diagnostic","match":"-Wunused"}""", refined["criterion"]!);

        var replaced = new BisectionSpec { Criterion = "size_grows", ThresholdBytes = 100, Parallel = 8 }.ToRequest(file);
        AssertJson("""{"kind":"size_grows","threshold_bytes":100}""", replaced["criterion"]!); // the file's match does not leak into it
        Assert.Equal(8, replaced["max_parallel"]!.GetValue<int>());

        Assert.Equal("-Wcpp", file["criterion"]!["match"]!.GetValue<string>()); // the file's object is left as it was
        Assert.NotNull(file["commit_hash"]);
    }

    [Fact]
    public void A_files_criterion_that_is_not_an_object_is_refused()
    {
        var file = JsonNode.Parse("""{"source_repository":"git://a","target_architecture":"arm64","criterion":"build_fails"}""")!.AsObject();
        Assert.Contains("criterion in the file must be an object", Refused(() => new BisectionSpec().ToRequest(file)).Message);
    }

    [Fact]
    public void The_criterion_kinds_the_cli_offers_are_the_farms_exactly()
    {
        var farm = Enum.GetValues<CriterionKind>().Select(k => JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString()));
        Assert.Equal(farm.Order(), BisectionSpec.Criteria.Order());
    }
}
