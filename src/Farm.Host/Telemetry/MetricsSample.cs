using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Telemetry;

/// <summary>One point of the farm's load as this node saw it: what a dashboard's history charts plot.</summary>
public sealed record MetricsSample(DateTimeOffset At, long QueueDepth, int RunningJobs, int SlotsInUse, int SlotsTotal)
{
    /// <summary>From the gauges' readings: running jobs are those on a server (assigned through transferring).</summary>
    public static MetricsSample From(DateTimeOffset at, long queueDepth, IReadOnlyDictionary<JobStatus, int> jobs, IReadOnlyList<ServerView> servers) =>
        new(at, queueDepth,
            jobs.Where(j => j.Key.IsOnServer()).Sum(j => j.Value),
            servers.Sum(s => s.SlotsInUse),
            servers.Sum(s => s.Server.MaxConcurrentJobs));
}
