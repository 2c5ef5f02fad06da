using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Tests.Servers;

/// <summary>PoolState's per-server slot accounting and its placement of a batch of requests.</summary>
public sealed class PoolStateTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BuildServer Server(string id, int maxJobs = 2) => PlacementStrategyTests.Server(id, maxJobs: maxJobs);

    private static Placement On(BuildServer s, string job) => new(job, s, s.Toolchains[0]);

    private static PlacementRequest Req(string jobId, params string[] avoid) => new(jobId, "x86_64", null, null, null, avoid);

    private static PoolState Registered(params BuildServer[] servers) =>
        servers.Aggregate(PoolState.Empty, (s, server) => s.Apply(new ServerRegistered(server, At)));

    private static readonly Func<string, bool> AllHealthy = _ => true;

    [Fact]
    public void Slot_counts_and_jobs_per_server_follow_every_reservation_move_and_release()
    {
        var servers = Enumerable.Range(0, 5).Select(i => Server($"s{i}", maxJobs: 4 + i)).ToArray();
        var random = new Random(42);
        var state = Registered(servers.Skip(1).ToArray()); // s0 holds reservations without being registered
        for (var step = 0; step < 3000; step++)
        {
            var job = $"j{random.Next(30)}";
            state = random.Next(10) switch
            {
                < 3 => state.Apply(new SlotReleased(job)),
                3 => state.Apply(new ServerRegistered(servers[1] with { MaxConcurrentJobs = 1 + random.Next(8) }, At)), // re-registered, other size
                _ => state.Apply(new SlotsReserved([On(servers[random.Next(servers.Length)], job)])),
            };
            foreach (var server in servers)
            {
                var id = server.Id;
                var expected = state.Reservations.Values.Where(p => p.Server.Id == id).Select(p => p.JobId).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(expected, state.JobsOn(id));
                Assert.Equal(expected.Count, state.SlotsInUse(id));
                Assert.Equal(state.Servers.TryGetValue(id, out var r) && expected.Count < r.Server.MaxConcurrentJobs, state.NotFull.Contains(id));
            }
        }
        Assert.DoesNotContain("s2", state.Apply(new ServerRemoved("s2", At)).NotFull);
    }

    [Fact]
    public void Place_fills_the_least_loaded_servers_and_stops_when_the_pool_is_full()
    {
        var state = Registered(Server("a"), Server("b"));

        var (all, fresh) = state.Place([Req("j1"), Req("j2"), Req("j3"), Req("j4"), Req("j5")], AllHealthy);

        Assert.Equal(["a", "b", "a", "b"], fresh.Select(p => p.Server.Id));
        Assert.Equal(["j1", "j2", "j3", "j4"], all.Select(p => p.JobId));
        Assert.Equal(0, state.SlotsInUse("a")); // placing decides; only the persisted event reserves
    }

    [Fact]
    public void Place_keeps_a_job_s_reservation_and_skips_draining_and_unhealthy_servers()
    {
        var a = Server("a");
        var state = Registered(a, Server("b"), Server("c"), Server("d"))
            .Apply(new SlotsReserved([On(a, "held")]))
            .Apply(new DrainChanged("b", true, At));

        var (all, fresh) = state.Place([Req("held"), Req("j1"), Req("j2"), Req("j3")], id => id != "c");

        Assert.Equal(["held", "j1", "j2", "j3"], all.Select(p => p.JobId));
        Assert.Equal("a", all[0].Server.Id);
        // d (empty) first; then a and d both hold one of two: a, the lower id; then d.
        Assert.Equal(["d", "a", "d"], fresh.Select(p => p.Server.Id));
        Assert.DoesNotContain(fresh, p => p.JobId == "held");
    }

    [Fact]
    public void A_retry_avoids_its_failed_server_unless_no_other_could_take_it_and_frees_its_old_slot()
    {
        var a = Server("a", maxJobs: 1);
        var b = Server("b", maxJobs: 1);
        var state = Registered(a, b).Apply(new SlotsReserved([On(a, "retry"), On(b, "other")]));

        // b is full: the retry waits rather than going back to a ...
        Assert.Empty(state.Place([Req("retry", "a")], AllHealthy).All);

        // ... unless b is gone for good (draining does not count as usable): then a again, its old slot counted free.
        var (all, fresh) = state.Apply(new DrainChanged("b", true, At)).Place([Req("retry", "a")], AllHealthy);
        Assert.Equal("a", Assert.Single(fresh).Server.Id);
        Assert.Equal(fresh, all);
    }

    [Fact]
    public void Place_prefers_a_free_server_whose_cache_holds_the_job_s_repository()
    {
        const string repo = "https://git.example.org/linux.git";
        var mirror = KernelFarm.Actors.Execution.GitCache.MirrorName(repo);
        var state = Registered(Server("a"), Server("b"), Server("c", maxJobs: 1))
            .Apply(new SlotsReserved([On(Server("c", maxJobs: 1), "busy")]));
        IReadOnlySet<string>? Cached(string id) => id is "b" or "c" ? new HashSet<string> { mirror } : null;

        var (_, fresh) = state.Place([Req("j1") with { SourceRepository = repo }, Req("j2") with { SourceRepository = repo }, Req("j3")], AllHealthy, Cached);

        // c holds the mirror but is full: affinity only ranks servers that can take the job now.
        Assert.Equal(["b", "b", "a"], fresh.Select(p => p.Server.Id));
    }
}
