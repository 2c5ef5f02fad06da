using KernelFarm.Actors.Bisections;
using KernelFarm.Actors.Series;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Bisections;

public sealed class BisectJudgeTests
{
    private static readonly Diagnostic Warning = new("init/main.c", 2, 2, "warning", "-Wcpp", "#warning \"kfarm\"");
    private static readonly Diagnostic Error = new("init/main.c", 3, 2, "error", "", "#error \"broken\"");

    private static StepFacts Passed(params Diagnostic[] d) => new() { Status = JobStatus.Completed, Diagnostics = d, TextSize = 1000 };

    private static StepFacts BuildFailed(params Diagnostic[] d) => new()
    {
        Status = JobStatus.Failed, Failure = new JobFailure(FailureKind.Build, "building", 2, "make failed"), Diagnostics = d, LogTail = ["make: *** [Makefile] Error 2"],
    };

    private static BisectCriterion C(CriterionKind kind, string? match = null, long? threshold = null) => new() { Kind = kind, Match = match, ThresholdBytes = threshold };

    [Fact]
    public void Build_fails_is_bad_on_a_build_failure_with_its_errors_as_excerpt()
    {
        var j = BisectJudge.Judge(C(CriterionKind.BuildFails), BuildFailed(Error), null)!;
        Assert.Equal(Verdict.Bad, j.Verdict);
        Assert.Equal(["init/main.c:3:2: error: #error \"broken\""], j.Excerpt);
        Assert.Equal(Verdict.Good, BisectJudge.Judge(C(CriterionKind.BuildFails), Passed(Warning), null)!.Verdict);
    }

    [Fact]
    public void Build_fails_with_a_match_skips_a_failure_for_another_reason()
    {
        var j = BisectJudge.Judge(C(CriterionKind.BuildFails, "undefined reference"), BuildFailed(Error), null)!;
        Assert.Equal(Verdict.Skip, j.Verdict);
        Assert.Contains("another reason", j.Detail);
        Assert.Equal(Verdict.Bad, BisectJudge.Judge(C(CriterionKind.BuildFails, "broken"), BuildFailed(Error), null)!.Verdict);
    }

    [Theory]
    [InlineData(FailureKind.Infrastructure)]
    [InlineData(FailureKind.Timeout)]
    [InlineData(FailureKind.Limit)]
    public void A_failure_that_is_not_the_builds_is_a_skip_whatever_the_criterion(FailureKind kind)
    {
        var facts = new StepFacts { Status = JobStatus.Failed, Failure = new JobFailure(kind, "transferring", null, "connection reset") };
        foreach (var criterion in Enum.GetValues<CriterionKind>())
            Assert.Equal(Verdict.Skip, BisectJudge.Judge(C(criterion, threshold: 1), facts, Passed())!.Verdict);
    }

    [Fact]
    public void Diagnostic_with_a_match_is_bad_when_a_warning_contains_it()
    {
        var j = BisectJudge.Judge(C(CriterionKind.Diagnostic, "kfarm"), Passed(Warning), null)!;
        Assert.Equal(Verdict.Bad, j.Verdict);
        Assert.Equal(["init/main.c:2:2: warning: #warning \"kfarm\" [-Wcpp]"], j.Excerpt);
        Assert.Equal(Verdict.Good, BisectJudge.Judge(C(CriterionKind.Diagnostic, "other"), Passed(Warning), null)!.Verdict);
        Assert.Equal(Verdict.Skip, BisectJudge.Judge(C(CriterionKind.Diagnostic, "other"), BuildFailed(Error), null)!.Verdict);
    }

    [Fact]
    public void Any_new_diagnostic_compares_with_the_good_commit_without_line_numbers()
    {
        var c = C(CriterionKind.Diagnostic);
        Assert.Null(BisectJudge.Judge(c, Passed(Warning), null)); // waits for the good commit's facts
        var moved = Warning with { Line = 40 };
        Assert.Equal(Verdict.Good, BisectJudge.Judge(c, Passed(moved), Passed(Warning))!.Verdict);
        var other = Warning with { Message = "#warning \"new\"" };
        var j = BisectJudge.Judge(c, Passed(Warning, other), Passed(Warning))!;
        Assert.Equal(Verdict.Bad, j.Verdict);
        Assert.StartsWith("1 new diagnostic", j.Detail);
    }

    [Fact]
    public void Boot_fails_reads_the_boot_result_and_skips_an_unbuilt_kernel()
    {
        var c = C(CriterionKind.BootFails);
        Assert.Equal(Verdict.Bad, BisectJudge.Judge(c, Passed() with { Boot = new BootResult(BootStatus.Fail, 30, "no marker: kernel panic") }, null)!.Verdict);
        Assert.Equal(Verdict.Good, BisectJudge.Judge(c, Passed() with { Boot = new BootResult(BootStatus.Pass, 3, null) }, null)!.Verdict);
        Assert.Equal(Verdict.Skip, BisectJudge.Judge(c, BuildFailed(Error), null)!.Verdict);
        Assert.Equal(Verdict.Skip, BisectJudge.Judge(c, Passed(), null)!.Verdict);
    }

    [Fact]
    public void Size_grows_is_bad_past_the_threshold_over_the_good_commits_text()
    {
        var c = C(CriterionKind.SizeGrows, threshold: 100);
        Assert.Null(BisectJudge.Judge(c, Passed() with { TextSize = 1200 }, null));
        Assert.Equal(Verdict.Good, BisectJudge.Judge(c, Passed() with { TextSize = 1100 }, Passed())!.Verdict);
        var j = BisectJudge.Judge(c, Passed() with { TextSize = 1101 }, Passed())!;
        Assert.Equal(Verdict.Bad, j.Verdict);
        Assert.Equal(["vmlinux text: 1000 -> 1101 bytes (+101; threshold 100)"], j.Excerpt);
        Assert.Equal(Verdict.Skip, BisectJudge.Judge(c, Passed() with { TextSize = null }, Passed())!.Verdict);
    }

    [Fact]
    public void A_cancelled_job_is_a_skip_and_a_running_one_is_not_judged()
    {
        Assert.Equal(Verdict.Skip, BisectJudge.Judge(C(CriterionKind.BuildFails), new StepFacts { Status = JobStatus.Cancelled }, null)!.Verdict);
        Assert.Null(BisectJudge.Judge(C(CriterionKind.BuildFails), new StepFacts { Status = JobStatus.Building }, null));
    }

    [Fact]
    public void Facts_come_from_the_log_and_metadata()
    {
        var job = new JobRecord
        {
            Id = "j", Request = new BuildJobRequest(), Status = JobStatus.Completed, ServerId = "x86",
            Transitions = [new StatusTransition(JobStatus.Queued, DateTimeOffset.UnixEpoch), new StatusTransition(JobStatus.Assigned, DateTimeOffset.UnixEpoch.AddSeconds(1)),
                new StatusTransition(JobStatus.Completed, DateTimeOffset.UnixEpoch.AddSeconds(13.5))],
        };
        var log = "==> kfarm: step building\n/ws/job-1/source/init/main.c:2:2: warning: #warning \"kfarm\" [-Wcpp]\nKernel: ready\n";
        var facts = StepFacts.Of(job, log, "{\"vmlinux\": {\"text_size\": 12345, \"data_size\": 1, \"bss_size\": 2}}");
        Assert.Equal(12345, facts.TextSize);
        Assert.Equal("init/main.c:2:2: warning: #warning \"kfarm\" [-Wcpp]", StepFacts.Render(Assert.Single(facts.Diagnostics)));
        Assert.Equal(12.5, facts.DurationS);
        Assert.Equal("x86", facts.Server);
        Assert.DoesNotContain(facts.LogTail, l => l.StartsWith("==> kfarm"));
        Assert.Null(StepFacts.Of(job, log, "not json").TextSize);
    }
}
