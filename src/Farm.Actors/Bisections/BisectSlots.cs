using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Bisections;

/// <summary>K when the submitter named none: the free slots of the servers that build the architecture, are healthy and not draining.</summary>
public static class BisectSlots
{
    public static int Free(IEnumerable<ServerView> servers, string architecture) =>
        Math.Max(1, servers
            .Where(s => !s.Draining && s.Health.Status != HealthStatus.Unhealthy
                && s.Server.SupportedArchitectures.Contains(architecture, StringComparer.Ordinal))
            .Sum(s => Math.Max(0, s.Server.MaxConcurrentJobs - s.SlotsInUse)));
}
