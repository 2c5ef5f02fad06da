using KernelFarm.Actors.Bisections;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Bisections;

public sealed class BisectSlotsTests
{
    private static ServerView View(string id, string arch, int max, int inUse, string[]? running = null, bool draining = false, bool healthy = true) => new(
        new BuildServer
        {
            Id = id, Hostname = id, IpAddress = "127.0.0.9", SshUsername = "u", SshHostKeyFingerprint = "SHA256:x",
            SupportedArchitectures = [arch], MaxConcurrentJobs = max,
        },
        inUse, running ?? [], new ServerHealth(healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch, draining);

    [Fact]
    public void Free_slots_of_healthy_undrained_servers_of_the_architecture()
    {
        var servers = new[]
        {
            View("a", "x86_64", 4, 1), View("b", "x86_64", 2, 0), View("c", "arm64", 8, 0),
            View("d", "x86_64", 8, 0, draining: true), View("e", "x86_64", 8, 0, healthy: false),
        };
        Assert.Equal(5, BisectSlots.Free(servers, "x86_64"));
    }

    [Fact]
    public void Slots_its_own_jobs_still_hold_count_as_free_and_there_is_always_one()
    {
        var servers = new[] { View("a", "x86_64", 2, 2, ["mine", "theirs"]) };
        Assert.Equal(1, BisectSlots.Free(servers, "x86_64", new HashSet<string> { "mine" }));
        Assert.Equal(1, BisectSlots.Free(servers, "x86_64"));
        Assert.Equal(1, BisectSlots.Free([], "x86_64"));
        Assert.Equal(2, BisectSlots.Free([View("a", "x86_64", 2, 2, ["m1", "m2"])], "x86_64", new HashSet<string> { "m1", "m2" }));
    }
}
