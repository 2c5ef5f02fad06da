using KernelFarm.Host.Telemetry;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Telemetry;

public sealed class MetricsSampleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sample_counts_jobs_on_servers_as_running_and_adds_up_every_server_slots()
    {
        var jobs = new Dictionary<JobStatus, int>
        {
            [JobStatus.Queued] = 3, [JobStatus.Assigned] = 1, [JobStatus.Building] = 2, [JobStatus.Transferring] = 1, [JobStatus.Completed] = 9,
        };
        ServerView Server(string id, int slots, int inUse) =>
            new(QueueStateTests.PlacementFor("j").Server with { Id = id, MaxConcurrentJobs = slots }, inUse, [], new ServerHealth(HealthStatus.Healthy, T0), T0);
        var sample = MetricsSample.From(T0, 3, jobs, [Server("a", 4, 3), Server("b", 2, 1)]);
        Assert.Equal(new MetricsSample(T0, 3, 4, 4, 6), sample);
    }
}
