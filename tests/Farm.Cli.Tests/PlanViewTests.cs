using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;
using Xunit;
using static KernelFarm.Cli.Tests.PlanMatrixTests;

namespace KernelFarm.Cli.Tests;

/// <summary>How plans read in `plans show`, `plans list` and at the end of `plans submit --wait`, and what kfarm exits with.</summary>
public sealed class PlanViewTests
{
    private static JsonNode Ended(string result, string counts, params string[] builds) => JsonNode.Parse($$"""
        {"id":"p1","name":"cli plan","description":null,"git_repo":"git://h/linux.git","git_ref":"master","git_sha":null,
         "submitted_by":"operator","created_at":"2026-03-01T10:00:00Z","ended_at":"2026-03-01T10:01:02Z","cancel_requested":false,
         "state":"ended","result":"{{result}}","counts":{{counts}},"duration_s":62.4,"builds":[{{string.Join(",", builds)}}]}
        """)!;

    private const string FailCounts = """{"queued":0,"running":0,"completed":1,"failed":1,"cancelled":0,"unsupported":1}""";

    private static JsonNode FailedPlan() => Ended("fail", FailCounts,
        Build(0, "x86_64", "completed", jobId: "j0"),
        Build(1, "x86_64", "failed", kconfig: "[\"tinyconfig\",\"CONFIG_FAKE_BROKEN=y\"]", jobId: "j1"),
        Build(2, "powerpc", "unsupported", kconfig: "[\"ppc64_defconfig\"]", unsupported: "architecture powerpc is not in the farm's catalogue"));

    [Fact]
    public void Counts_name_the_non_zero_ones_ended_first()
    {
        Assert.Equal("1 completed, 1 failed, 1 unsupported", PlanView.Counts(FailedPlan()));
        Assert.Equal("2 running, 3 queued", PlanView.Counts(JsonNode.Parse("""{"counts":{"queued":3,"running":2,"completed":0}}""")));
        Assert.Equal("no builds", PlanView.Counts(JsonNode.Parse("{}")));
    }

    [Fact]
    public void The_summary_says_the_result_or_where_the_plan_is()
    {
        Assert.Equal("plan p1 fail: 1 completed, 1 failed, 1 unsupported in 1m 02s", PlanView.Summary(FailedPlan()));
        var running = JsonNode.Parse("""{"id":"p2","state":"running","result":null,"counts":{"running":1},"duration_s":5}""")!;
        Assert.Equal("plan p2 running: 1 running (5s so far)", PlanView.Summary(running));
    }

    [Fact]
    public void Only_a_passed_plan_exits_0_and_a_failed_one_exits_as_a_failed_job_does()
    {
        Assert.Equal(ExitCodes.Ok, PlanOutcome.ExitCode(Ended("pass", "{}")));
        Assert.Equal(ExitCodes.Failure, PlanOutcome.ExitCode(FailedPlan()));
        Assert.Equal(ExitCodes.Failure, PlanOutcome.ExitCode(JsonNode.Parse("""{"state":"running","result":null}""")));
        Assert.True(PlanOutcome.HasEnded(FailedPlan()));
        Assert.False(PlanOutcome.HasEnded(JsonNode.Parse("""{"state":"running"}""")));
    }

    [Fact]
    public void Show_has_the_details_the_matrix_and_every_build_with_its_job_and_reason()
    {
        var text = PlanView.Show(FailedPlan(), 120);
        Assert.Contains("name:         cli plan\n", text);
        Assert.Contains("repository:   git://h/linux.git\n", text);
        Assert.Contains("result:       fail\n", text);
        Assert.Contains("duration:     1m 02s\n", text);
        Assert.Contains("builds:       1 completed, 1 failed, 1 unsupported\n", text);
        Assert.Contains("ARCH     tinyconfig  tinyconfig+CONFIG_FAKE_BROKEN=y  ppc64_defconfig\n", text);
        Assert.Contains("powerpc  -           -                                unsupported\n", text);
        var lines = text.Split('\n');
        Assert.Matches("^PATH +NAME +STATE +JOB +UNSUPPORTED$", Assert.Single(lines, l => l.StartsWith("PATH")));
        Assert.Matches(@"^jobs\[0\]\.builds\[1\] +x86_64 gcc-12 b1 +failed +j1 +-$", Assert.Single(lines, l => l.StartsWith("jobs[0].builds[1]")));
        Assert.Matches(@"^jobs\[0\]\.builds\[2\] +powerpc gcc-12 b2 +unsupported +- +architecture powerpc is not in the farm's catalogue$",
            Assert.Single(lines, l => l.StartsWith("jobs[0].builds[2]")));
    }

    [Fact]
    public void A_cancelled_plan_says_so_in_its_state()
    {
        var plan = FailedPlan();
        plan["cancel_requested"] = true;
        Assert.Contains("state:        ended (cancel requested)\n", PlanView.Show(plan, 120));
    }

    [Fact]
    public void The_list_is_a_table_of_the_page()
    {
        var page = JsonNode.Parse("""
            {"total":2,"offset":0,"limit":100,"next_offset":null,"plans":[
              {"id":"p2","name":"weekly clang","git_repo":"git://h/l.git","git_ref":"linux-6.1.y","submitted_by":"ci","created_at":"2026-03-02T08:00:00Z","ended_at":null,"state":"running","result":null,"builds":70},
              {"id":"p1","name":null,"git_repo":"git://h/l.git","git_ref":"master","submitted_by":"operator","created_at":"2026-03-01T10:00:00Z","ended_at":"2026-03-01T10:01:02Z","state":"ended","result":"pass","builds":3}]}
            """)!;
        Assert.Equal(
            "ID  NAME          STATE    RESULT  BUILDS  REF          SUBMITTED BY  CREATED\n" +
            "p2  weekly clang  running  -           70  linux-6.1.y  ci            2026-03-02 08:00:00Z\n" +
            "p1  -             ended    pass         3  master       operator      2026-03-01 10:00:00Z\n",
            PlanView.List(Json.Array(page, "plans")));
    }
}
