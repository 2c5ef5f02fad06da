using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>kfarm and result reuse: --no-cache in the request, reused_from and the log's counts in `jobs show` and the summary.</summary>
public sealed class ReuseViewTests
{
    [Fact]
    public void No_cache_sets_no_cache_and_is_absent_otherwise()
    {
        Assert.True(new JobSpec { Repo = "git://a", Arch = "x86_64", NoCache = true }.ToRequest()["no_cache"]!.GetValue<bool>());
        Assert.Null(new JobSpec { Repo = "git://a", Arch = "x86_64" }.ToRequest()["no_cache"]);
        // the file's own value stays when the flag is not given
        Assert.True(new JobSpec { Repo = "git://a", Arch = "x86_64" }.ToRequest(JsonNode.Parse("""{"no_cache":true}""")!.AsObject())["no_cache"]!.GetValue<bool>());
    }

    [Fact]
    public void A_reused_job_names_the_build_whose_result_it_is_and_the_logs_counts()
    {
        var job = JsonNode.Parse("""
            {"id":"j2","status":"completed","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00.020Z",
             "artifacts":[{"path":"vmlinux"}],"reused_from":"j1","warnings":3,"errors":0}
            """)!;
        Assert.EndsWith("1 artifacts (the result of job j1)", JobView.Summary(job, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        var shown = JobView.Show(job, DateTimeOffset.UtcNow).Split('\n');
        Assert.Single(shown, l => l.StartsWith("reused from:", StringComparison.Ordinal) && l.Contains("j1 (the same inputs", StringComparison.Ordinal));
        Assert.Single(shown, l => l.StartsWith("warnings/errors:", StringComparison.Ordinal) && l.TrimEnd().EndsWith("3 / 0", StringComparison.Ordinal));

        var built = JsonNode.Parse("""{"id":"j1","status":"completed","artifacts":[],"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:03:00Z"}""")!;
        Assert.DoesNotContain("reused", JobView.Show(built, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        Assert.DoesNotContain("the result of", JobView.Summary(built, DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }
}
