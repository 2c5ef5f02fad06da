using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using KernelFarm.Actors;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Tests.Servers;

/// <summary>
/// ServerPoolActor with servers recovered from a seeded journal (registration itself needs SSH). The seeded
/// servers point at a local port that accepts connections but never speaks SSH, so the pool's health probe
/// hangs instead of failing and the servers stay healthy for the length of a test.
/// </summary>
public sealed class ServerPoolActorTests : ActorTest
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Any readable private key: the probe never gets as far as authenticating.</summary>
    private static readonly Lazy<string> KeyPem = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportRSAPrivateKeyPem();
    });

    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly string _keyPath = Path.Combine(Path.GetTempPath(), $"kfarm-test-key-{Guid.NewGuid():N}");
    private readonly TestProbe _queue;
    private readonly FarmSettings _settings = new() { SshConnectTimeout = TimeSpan.FromMinutes(5), ProbeInterval = TimeSpan.FromMinutes(5) };

    public ServerPoolActorTests()
    {
        _silent.Start();
        File.WriteAllText(_keyPath, KeyPem.Value);
        _queue = CreateTestProbe("queue");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _silent.Stop();
            File.Delete(_keyPath);
        }
    }

    /// <summary>Writes events under the pool's persistence id, as an earlier incarnation would have.</summary>
    private sealed class Seeder : ReceivePersistentActor
    {
        public Seeder(IReadOnlyList<object> events)
        {
            Command<string>(_ =>
            {
                var sender = Sender;
                PersistAll(events, _ => { });
                DeferAsync("done", d => sender.Tell(d));
            });
        }

        public override string PersistenceId => "server-pool";
    }

    private BuildServer Server(string id, string arch = "x86_64", int maxJobs = 2) =>
        PlacementStrategyTests.Server(id, arches: [arch], toolchains: [new Toolchain("gcc-12", [arch])], maxJobs: maxJobs) with
        {
            IpAddress = "127.0.0.1",
            SshPort = ((IPEndPoint)_silent.LocalEndpoint).Port,
            SshKeyPath = _keyPath,
        };

    private IActorRef StartPool(params object[] seed)
    {
        if (seed.Length > 0)
        {
            var seeder = Sys.ActorOf(Akka.Actor.Props.Create(() => new Seeder(seed)));
            seeder.Tell("go", TestActor);
            ExpectMsg("done");
            Watch(seeder);
            Sys.Stop(seeder);
            ExpectTerminated(seeder);
        }
        var pool = Sys.ActorOf(ServerPoolActor.Props(_settings, _queue.Ref));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>(); // after recovery
        return pool;
    }

    private IActorRef Restart(IActorRef pool)
    {
        Watch(pool);
        pool.Tell(PoisonPill.Instance);
        ExpectTerminated(pool);
        return StartPool();
    }

    private T Ask<T>(IActorRef pool, object message)
    {
        var probe = CreateTestProbe();
        pool.Tell(message, probe.Ref);
        return probe.ExpectMsg<T>();
    }

    private static PlacementRequest Req(string jobId, params string[] avoid) => new(jobId, "x86_64", null, null, null, avoid);

    private Placement PlaceOne(IActorRef pool, PlacementRequest request) =>
        Assert.Single(Ask<ServerPoolReplies.Placed>(pool, new ServerPoolCommands.Place([request])).Placements);

    // ---- drain ----

    [Fact]
    public void Drain_marks_the_server_survives_a_restart_and_can_be_undone()
    {
        var pool = StartPool(new ServerRegistered(Server("a"), At), new ServerRegistered(Server("b"), At));

        var details = Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Drain("a", true));
        Assert.Equal("a", details.Server.Server.Id);
        Assert.True(details.Server.Draining);
        _queue.ExpectNoMsg(Quiet); // draining frees nothing

        var list = Ask<ServerPoolReplies.ServerList>(pool, ServerPoolCommands.List.Instance);
        Assert.Equal([("a", true), ("b", false)], list.Servers.Select(v => (v.Server.Id, v.Draining)));

        pool = Restart(pool);
        Assert.True(Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Get("a")).Server.Draining);

        var undrained = Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Drain("a", false));
        Assert.False(undrained.Server.Draining);
        _queue.ExpectMsg<QueueCommands.CapacityChanged>(); // it takes jobs again: the queue should try
    }

    [Fact]
    public void Drain_of_an_unknown_server_is_not_found()
    {
        var pool = StartPool(new ServerRegistered(Server("a"), At));
        Assert.Equal("zzz", Ask<ServerPoolReplies.NotFound>(pool, new ServerPoolCommands.Drain("zzz", true)).ServerId);
        Assert.False(Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Get("a")).Server.Draining);
    }

    [Fact]
    public void A_draining_server_gets_no_new_jobs_but_keeps_its_running_ones()
    {
        var a = Server("a");
        var pool = StartPool(
            new ServerRegistered(a, At), new ServerRegistered(Server("b"), At),
            new SlotsReserved([new Placement("running", a, a.Toolchains[0])]),
            new DrainChanged("a", true, At));

        Assert.Equal("b", PlaceOne(pool, Req("job-1")).Server.Id);
        Assert.Equal("b", PlaceOne(pool, Req("job-2")).Server.Id);
        Assert.Empty(Ask<ServerPoolReplies.Placed>(pool, new ServerPoolCommands.Place([Req("job-3")])).Placements); // b is full, a drains

        var view = Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Get("a")).Server;
        Assert.Equal(["running"], view.RunningJobs);
        Assert.True(view.Draining);
    }

    [Fact]
    public void A_drained_server_can_be_removed_once_idle()
    {
        var a = Server("a");
        var pool = StartPool(new ServerRegistered(a, At), new SlotsReserved([new Placement("running", a, a.Toolchains[0])]),
            new DrainChanged("a", true, At));

        Assert.Equal(["running"], Ask<ServerPoolReplies.Busy>(pool, new ServerPoolCommands.Remove("a")).RunningJobs);
        Assert.Equal(new ServerPoolReplies.Released("running", null), Ask<ServerPoolReplies.Released>(pool, new ServerPoolCommands.Release("running")));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>();
        Assert.Equal("a", Ask<ServerPoolReplies.Removed>(pool, new ServerPoolCommands.Remove("a")).ServerId);

        pool = Restart(pool);
        Assert.Empty(Ask<ServerPoolReplies.ServerList>(pool, ServerPoolCommands.List.Instance).Servers);
    }

    [Fact]
    public void Every_release_is_acknowledged_but_only_one_frees_the_slot()
    {
        var a = Server("a");
        var pool = StartPool(new ServerRegistered(a, At), new SlotsReserved([new Placement("job-1", a, a.Toolchains[0])]));

        // A job re-sends its release until it hears back: the duplicates are acknowledged too.
        Assert.Equal(new ServerPoolReplies.Released("job-1", "a"), Ask<ServerPoolReplies.Released>(pool, new ServerPoolCommands.Release("job-1", "a")));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>();
        Assert.Equal(new ServerPoolReplies.Released("job-1", "a"), Ask<ServerPoolReplies.Released>(pool, new ServerPoolCommands.Release("job-1", "a")));
        _queue.ExpectNoMsg(Quiet);
        Assert.Equal(0, Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Get("a")).Server.SlotsInUse);
    }

    // ---- probes ----

    [Fact]
    public void What_a_probe_finds_shows_in_the_view_and_a_missing_image_is_warned_of_once()
    {
        const string builder = "localhost/builder:1", gone = "localhost/gone:1";
        var server = Server("a") with
        {
            ContainerRuntime = "podman",
            ContainerImages = [new ContainerImage(builder, [new Toolchain("gcc-12", ["x86_64"])]), new ContainerImage(gone, [])],
        };
        var pool = StartPool(new ServerRegistered(server, At));
        ServerView Get() => Ask<ServerPoolReplies.ServerDetails>(pool, new ServerPoolCommands.Get("a")).Server;
        Assert.Null(Get().DetectedContainers); // not probed yet (the pool's own probe hangs on the silent port)

        var probed = new ServerProbe.Result("a", true, false, null, At)
        {
            Detected = [new DetectedToolchain("gcc-12", ["x86_64", "i386"], "", "12.2.0")],
            Containers = new DetectedContainers("podman version 4.3.1", true, [builder], [gone]),
        };
        EventFilter.Warning(contains: gone).ExpectOne(() => pool.Tell(probed));
        var view = Get();
        Assert.Equal("gcc-12", Assert.Single(view.DetectedToolchains!).Name);
        Assert.Equal("podman version 4.3.1", view.DetectedContainers!.RuntimeVersion);
        Assert.Equal([gone], view.DetectedContainers.MissingImages);

        // Every interval finds the same again: said already.
        EventFilter.Warning().Expect(0, Quiet, () => { pool.Tell(probed with { At = At.AddSeconds(30) }); Get(); });

        // The runtime is gone: that is new.
        EventFilter.Warning(contains: "did not find").ExpectOne(() =>
            pool.Tell(probed with { Containers = new DetectedContainers(null, false, [], []) }));
        Assert.False(Get().DetectedContainers!.RuntimeFound);

        // A failed probe keeps what the last successful one found.
        pool.Tell(new ServerProbe.Result("a", false, false, "connection refused", At.AddMinutes(1)));
        view = Get();
        Assert.Equal(HealthStatus.Unhealthy, view.Health.Status);
        Assert.False(view.DetectedContainers!.RuntimeFound);
    }

    // ---- retries ----

    [Fact]
    public void Place_avoids_the_servers_a_retry_failed_on()
    {
        var pool = StartPool(new ServerRegistered(Server("a"), At), new ServerRegistered(Server("b"), At));

        Assert.Equal("a", PlaceOne(pool, Req("first")).Server.Id);
        pool.Tell(new ServerPoolCommands.Release("first"));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>();

        Assert.Equal("b", PlaceOne(pool, Req("retry", "a")).Server.Id);
        // Every capable server avoided: back to all of them, the least loaded ("a" is idle again) wins.
        Assert.Equal("a", PlaceOne(pool, Req("retry-2", "a", "b")).Server.Id);
    }

    [Fact]
    public void A_stale_reservation_on_an_avoided_server_is_not_reused_for_the_retry()
    {
        var a = Server("a");
        var pool = StartPool(new ServerRegistered(a, At), new ServerRegistered(Server("b"), At),
            new SlotsReserved([new Placement("job-1", a, a.Toolchains[0])])); // attempt 1's slot, not yet released

        Assert.Equal("b", PlaceOne(pool, Req("job-1", "a")).Server.Id);
    }

    // ---- feasibility ----

    [Fact]
    public void Check_feasible_names_the_field_at_fault()
    {
        var pool = StartPool(new ServerRegistered(Server("a"), At));

        Assert.Equal(new ServerPoolReplies.Feasibility(true, null, null),
            Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("x86_64", null, null, null)));

        var arch = Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("riscv64", null, null, null));
        Assert.False(arch.Feasible);
        Assert.Equal("target_architecture", arch.Field);
        Assert.Contains("riscv64", arch.Reason);

        Assert.Equal("toolchain", Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("x86_64", "clang-17", null, null)).Field);
        Assert.Equal("build_config.workspace_root",
            Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("x86_64", null, "/home/me", null)).Field);
        Assert.Equal("build_config.build_directory",
            Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("x86_64", null, null, "/home/me/x")).Field);
    }

    [Fact]
    public void Check_feasible_with_no_servers_blames_the_architecture()
    {
        var pool = StartPool();
        var f = Ask<ServerPoolReplies.Feasibility>(pool, new ServerPoolCommands.CheckFeasible("x86_64", null, null, null));
        Assert.Equal(new ServerPoolReplies.Feasibility(false, "target_architecture", "no build server is registered"), f);
    }

    [Fact]
    public void A_probe_interval_of_zero_turns_the_periodic_probe_off()
    {
        // A closed port: a probe fails at once and marks the server unhealthy.
        int closed;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); closed = ((IPEndPoint)l.LocalEndpoint).Port; }
        var server = Server("a") with { SshPort = closed };
        var seeder = Sys.ActorOf(Akka.Actor.Props.Create(() => new Seeder(new object[] { new ServerRegistered(server, At) })));
        seeder.Tell("go", TestActor);
        ExpectMsg("done");

        var off = Sys.ActorOf(ServerPoolActor.Props(new FarmSettings { ProbeInterval = TimeSpan.Zero }, _queue.Ref));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>();
        ExpectNoMsg(TimeSpan.FromSeconds(2)); // past the first probe's 1 s delay
        Assert.Equal(HealthStatus.Healthy, Ask<ServerPoolReplies.ServerDetails>(off, new ServerPoolCommands.Get("a")).Server.Health.Status);
        Watch(off);
        Sys.Stop(off);
        ExpectTerminated(off);

        // The same server with probing on: the first probe finds it down.
        var on = Sys.ActorOf(ServerPoolActor.Props(new FarmSettings { ProbeInterval = TimeSpan.FromMinutes(1), SshConnectTimeout = TimeSpan.FromSeconds(5) }, _queue.Ref));
        _queue.ExpectMsg<QueueCommands.CapacityChanged>();
        AwaitAssert(() => Assert.Equal(HealthStatus.Unhealthy,
            Ask<ServerPoolReplies.ServerDetails>(on, new ServerPoolCommands.Get("a")).Server.Health.Status), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Placement_prefers_the_server_whose_probed_git_cache_holds_the_job_s_repository()
    {
        const string repo = "https://git.example.org/linux.git";
        var pool = StartPool(new ServerRegistered(Server("a"), At), new ServerRegistered(Server("b"), At));
        var mirror = new CachedRepository(KernelFarm.Actors.Execution.GitCache.MirrorName(repo), 1 << 20, At);
        pool.Tell(new ServerProbe.Result("b", true, false, null, At) { Caches = new ServerCaches([mirror], null, []) });

        Assert.Equal("b", PlaceOne(pool, Req("j1") with { SourceRepository = repo }).Server.Id);
        Assert.Equal("a", PlaceOne(pool, Req("j2")).Server.Id); // no repository: the least loaded
    }

    [Fact]
    public void A_probe_that_began_before_a_placement_does_not_forget_the_mirror_the_placed_job_fills()
    {
        const string repo = "https://git.example.org/linux.git";
        var pool = StartPool(new ServerRegistered(Server("a", maxJobs: 3), At), new ServerRegistered(Server("b", maxJobs: 3), At));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        Assert.Equal("a", PlaceOne(pool, Req("j1") with { SourceRepository = repo }).Server.Id); // both idle: the first id

        // A probe of "a" that was under way when j1 was placed finds no mirror yet: j1 is still filling it.
        pool.Tell(new ServerProbe.Result("a", true, false, null, DateTimeOffset.UtcNow) { Caches = new ServerCaches([], null, []), StartedAt = before });
        Assert.Equal("a", PlaceOne(pool, Req("j2") with { SourceRepository = repo }).Server.Id); // the cache still wins over idle "b"

        // A probe that began after the placement and finds no mirror is believed.
        pool.Tell(new ServerProbe.Result("a", true, false, null, DateTimeOffset.UtcNow) { Caches = new ServerCaches([], null, []), StartedAt = DateTimeOffset.UtcNow });
        Assert.Equal("b", PlaceOne(pool, Req("j3") with { SourceRepository = repo }).Server.Id); // least loaded again
    }
}
