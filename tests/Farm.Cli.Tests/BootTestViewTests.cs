using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;
using Xunit;

namespace KernelFarm.Cli.Tests;

/// <summary>kfarm and the boot test: --boot-test in the request, boot in `jobs show` and in the end-of-job summary.</summary>
public sealed class BootTestViewTests
{
    private static JsonNode Job(string boot) => JsonNode.Parse($$"""
        {"id":"j1","status":"completed","server_id":"b1","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:03:00Z",
         "artifacts":[{"path":"bzImage"},{"path":"boot/console.log"}],"boot":{{boot}}}
        """)!;

    [Fact]
    public void Boot_test_flag_sets_build_config_boot_test_and_is_absent_otherwise()
    {
        var on = new JobSpec { Repo = "git://a", Arch = "x86_64", BootTest = true }.ToRequest();
        Assert.True(on["build_config"]!["boot_test"]!.GetValue<bool>());
        var off = new JobSpec { Repo = "git://a", Arch = "x86_64" }.ToRequest(JsonNode.Parse("""{"build_config":{"boot_test":true}}""")!.AsObject());
        Assert.True(off["build_config"]!["boot_test"]!.GetValue<bool>()); // the file's value stays
        Assert.Null(new JobSpec { Repo = "git://a", Arch = "x86_64" }.ToRequest()["build_config"]);
    }

    [Fact]
    public void A_passed_boot_shows_its_duration()
    {
        Assert.Equal("pass in 1.512 s", JobView.Boot(Job("""{"status":"pass","duration_s":1.512,"reason":null}""")));
        Assert.EndsWith(" on b1: 2 artifacts; boot pass in 1.512 s",
            JobView.Summary(Job("""{"status":"pass","duration_s":1.512,"reason":null}"""), DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_boot_shows_why_and_the_job_still_reads_completed()
    {
        var job = Job("""{"status":"fail","duration_s":3.17,"reason":"no console output: the kernel has no working console on ttyS0"}""");
        Assert.Equal("fail in 3.17 s: no console output: the kernel has no working console on ttyS0", JobView.Boot(job));
        Assert.StartsWith("job j1 completed in ", JobView.Summary(job, DateTimeOffset.UtcNow), StringComparison.Ordinal);
        Assert.Single(JobView.Show(job, DateTimeOffset.UtcNow).Split('\n'),
            l => l.StartsWith("boot:", StringComparison.Ordinal) && l.TrimEnd().EndsWith("fail in 3.17 s: no console output: the kernel has no working console on ttyS0", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_boot_test_nothing_is_said_about_booting()
    {
        var job = JsonNode.Parse("""{"id":"j1","status":"completed","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:01:00Z","artifacts":[]}""")!;
        Assert.Null(JobView.Boot(job));
        Assert.DoesNotContain("boot", JobView.Summary(job, DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }
}
