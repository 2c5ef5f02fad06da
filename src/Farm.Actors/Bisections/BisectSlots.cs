using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// K when the submitter named none: the free slots of the servers that build the architecture, are
/// healthy and not draining — counting as free the slots the bisection's own jobs still hold (a job
/// that just ended, one being superseded): they are the bisection's to use again.
/// </summary>
public static class BisectSlots
{
    public static int Free(IEnumerable<ServerView> servers, string architecture, IReadOnlySet<string>? ownJobs = null) =>
        Math.Max(1, servers
            .Where(s => !s.Draining && s.Health.Status != HealthStatus.Unhealthy
                && s.Server.SupportedArchitectures.Contains(architecture, StringComparer.Ordinal))
            .Sum(s => Math.Clamp(s.Server.MaxConcurrentJobs - s.SlotsInUse + s.RunningJobs.Count(j => ownJobs?.Contains(j) == true), 0, s.Server.MaxConcurrentJobs)));
}
