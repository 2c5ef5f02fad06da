using KernelFarm.Actors.Series;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Series;

/// <summary>The report composed from a job, its log's markers and its step folders; the plain-text summary.</summary>
public sealed class SeriesReportTests
{
    private static JobRecord Job(JobStatus status) => new()
    {
        Id = "0193",
        Status = status,
        Request = new BuildJobRequest
        {
            SourceRepository = "https://git.example.org/linux.git",
            CommitHash = "0123456789abcdef0123456789abcdef01234567",
            TargetArchitecture = "x86_64",
            Series = new SeriesRequest { Mbox = "x" },
        },
    };

    private const string Log = """
        ==> kfarm: series count 3
        ==> kfarm: series 0 passed 120
        ==> kfarm: series 1 passed 9
        ==> kfarm: series 2 passed 8
        ==> kfarm: series 3 build-failed 4
        """;

    private static readonly Dictionary<(int, string), string> Files = new()
    {
        [(0, "diagnostics")] = "",
        [(0, "size")] = "1000 200 30",
        [(0, "config")] = "CONFIG_A=y\n",
        [(1, "info")] = "Author: Ada\nEmail: ada@example.org\nSubject: init: add a warning\n",
        [(1, "diagnostics")] = "init/main.c:5:6: warning: unused variable 'x' [-Wunused-variable]\n",
        [(1, "size")] = "1000 200 30",
        [(1, "config")] = "CONFIG_A=y\n",
        [(2, "info")] = "Author: Ada\nEmail: ada@example.org\nSubject: mm: grow\n",
        [(2, "diagnostics")] = "init/main.c:6:6: warning: unused variable 'x' [-Wunused-variable]\n",
        [(2, "size")] = "5096 200 30",
        [(2, "bloat")] = "Function old new delta\nkfarm_pad - 4096 +4096\n",
        [(2, "config")] = "CONFIG_A=y\nCONFIG_B=y\n",
        [(2, "build.log")] = "ld: warning: a link warning\n",
        [(3, "info")] = "Author: Ada\nEmail: ada@example.org\nSubject: init: break it\n",
        [(3, "diagnostics")] = "init/main.c:6:6: warning: unused variable 'x' [-Wunused-variable]\nkernel/fork.c:1:1: error: broken\n",
        [(3, "config")] = "CONFIG_A=y\nCONFIG_B=y\n",
    };

    private static SeriesReport Report(JobStatus status, string log = Log) =>
        SeriesReport.Build(Job(status), log, (step, name) => Files.GetValueOrDefault((step, name)));

    [Fact]
    public void Each_step_is_compared_with_the_one_before_it()
    {
        var report = Report(JobStatus.Completed);
        Assert.Equal("failed", report.Result);   // a step did not build
        Assert.Equal(3, report.Patches);
        Assert.Equal(["passed", "passed", "passed", "build-failed"], report.Steps.Select(s => s.State));
        Assert.Equal("base 0123456789ab", report.Steps[0].Subject);
        Assert.Equal("Ada <ada@example.org>", report.Steps[1].Author);
        Assert.Equal("unused variable 'x'", Assert.Single(report.Steps[1].NewWarnings).Message);
        Assert.DoesNotContain(report.Steps[2].NewWarnings, d => d.File == "init/main.c");     // moved a line down: the same warning
        Assert.Equal("a link warning", Assert.Single(report.Steps[2].NewWarnings).Message);  // from the step's log
        Assert.Equal(new SizeFigures(4096, 0, 0), report.Steps[2].SizeDelta);
        Assert.Equal("kfarm_pad", Assert.Single(report.Steps[2].Bloat).Symbol);
        Assert.Equal("B", Assert.Single(report.Steps[2].Config!.Added).Name);
        Assert.Equal("broken", Assert.Single(report.Steps[3].FirstErrors).Message);
        Assert.Equal("a link warning", Assert.Single(report.Steps[3].FixedWarnings).Message);
        Assert.Equal(9, report.Steps[1].Seconds);
    }

    [Fact]
    public void A_running_series_shows_where_it_is_and_a_cancelled_one_what_never_ran()
    {
        var live = Report(JobStatus.Building, "==> kfarm: series count 3\n==> kfarm: series 0 passed 100\n==> kfarm: series 1 building\n");
        Assert.Equal("running", live.Result);
        Assert.Equal(["passed", "building", "pending", "pending"], live.Steps.Select(s => s.State));
        var cancelled = Report(JobStatus.Cancelled, "==> kfarm: series count 3\n==> kfarm: series 0 passed 100\n==> kfarm: series 1 building\n");
        Assert.Equal("cancelled", cancelled.Result);
        Assert.Equal(["passed", "cancelled", "cancelled", "cancelled"], cancelled.Steps.Select(s => s.State));
    }

    [Fact]
    public void The_text_summary_has_a_line_per_patch_then_the_details()
    {
        var text = SeriesText.Render(Report(JobStatus.Completed));
        var lines = text.Split('\n');
        Assert.StartsWith("KernelFarm series 0193: 3 patches, failed", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("[1/3]", StringComparison.Ordinal) && l.Contains("warnings +1/-0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("[2/3]", StringComparison.Ordinal) && l.Contains("size +4096", StringComparison.Ordinal));
        Assert.Contains("  new warning: init/main.c:5: unused variable 'x' [-Wunused-variable]", lines);
        Assert.Contains("  size: text +4096, data 0, bss 0 (kfarm_pad +4096)", lines);
        Assert.Contains("  config: +B=y", lines);
        Assert.Contains("  error: kernel/fork.c:1: broken", lines);
    }
}
