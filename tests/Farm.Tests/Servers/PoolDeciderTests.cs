using Akka.Actor;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Tests.Servers;

/// <summary>The pool's decisions without an actor system, and its snapshot.</summary>
public sealed class PoolDeciderTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly BuildServer Server = QueueStateTests.PlacementFor("x").Server with { MaxConcurrentJobs = 2 };
    private static readonly PoolState OneServer = PoolState.Empty.Apply(new ServerRegistered(Server, Now));

    private static PoolDecision Decide(PoolState state, object command, PoolObservations? seen = null) =>
        PoolDecider.Decide(state, seen ?? PoolObservations.None, command, ActorRefs.Nobody, Now, TimeSpan.FromSeconds(30));

    private static PlacementRequest Request(string jobId) => new(jobId, "x86_64", null, null, null, [], SourceRepository: "https://git.example.org/linux.git");

    [Fact]
    public void Placement_reserves_what_fits_in_one_event_and_answers_every_request_that_holds_a_slot()
    {
        var d = Decide(OneServer, new ServerPoolCommands.Place([Request("a"), Request("b"), Request("c")]));

        var reserved = Assert.IsType<SlotsReserved>(Assert.Single(d.Events));
        Assert.Equal(["a", "b"], reserved.Placements.Select(p => p.JobId));
        var placed = Assert.IsType<ServerPoolReplies.Placed>(Assert.IsType<PoolEffect.Reply>(Assert.Single(d.Effects)).Message);
        Assert.Equal(["a", "b"], placed.Placements.Select(p => p.JobId));
        Assert.Contains(d.Observations.CachedRepositories[Server.Id], m => m.Contains("linux", StringComparison.Ordinal)); // cache affinity from now on

        // placed again (the queue re-asked): the same answer, nothing new to store
        var again = Decide(OneServer.Apply(reserved), new ServerPoolCommands.Place([Request("a")]));
        Assert.Empty(again.Events);
        Assert.Equal("a", Assert.Single(((ServerPoolReplies.Placed)((PoolEffect.Reply)again.Effects[0]).Message).Placements).JobId);
    }

    private static PoolObservations Probed(string identity) => PoolObservations.None with
    {
        Detected = PoolObservations.None.Detected.SetItem(Server.Id, [new DetectedToolchain("gcc-12", ["x86_64"], "", "12", identity)]),
    };

    [Fact]
    public void A_placement_names_the_exact_compiler_the_last_probe_found_and_stores_it()
    {
        var d = Decide(OneServer, new ServerPoolCommands.Place([Request("a")]), Probed("gcc (Debian 12.2.0-14) 12.2.0"));
        var reserved = Assert.IsType<SlotsReserved>(Assert.Single(d.Events));
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", Assert.Single(reserved.Placements).Compiler);
        var placed = (ServerPoolReplies.Placed)((PoolEffect.Reply)d.Effects[0]).Message;
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", Assert.Single(placed.Placements).Compiler);
        // never probed: no compiler, so no reuse key for that build
        Assert.Null(Assert.Single(((SlotsReserved)Decide(OneServer, new ServerPoolCommands.Place([Request("a")])).Events[0]).Placements).Compiler);
    }

    [Fact]
    public void The_compilers_a_job_could_run_are_those_of_the_servers_that_could_take_it()
    {
        var seen = Probed("gcc (Debian 12.2.0-14) 12.2.0");
        ServerPoolReplies.CompilerIdentities Ask(ServerPoolCommands.Compilers c) =>
            (ServerPoolReplies.CompilerIdentities)((PoolEffect.Reply)Assert.Single(Decide(OneServer, c, seen).Effects)).Message;

        Assert.Equal(["gcc (Debian 12.2.0-14) 12.2.0"], Ask(new ServerPoolCommands.Compilers("x86_64", "gcc-12", null, null)).Identities);
        Assert.Empty(Ask(new ServerPoolCommands.Compilers("arm64", "gcc-12", null, null)).Identities); // no server builds arm64
        Assert.Empty(Ask(new ServerPoolCommands.Compilers("x86_64", "clang-14", null, null)).Identities);
        Assert.Empty(Ask(new ServerPoolCommands.Compilers("x86_64", "gcc-12", "/elsewhere", null)).Identities); // a workspace no server allows
    }

    [Fact]
    public void An_unhealthy_server_gets_no_jobs()
    {
        var seen = PoolObservations.None with
        {
            Health = PoolObservations.None.Health.SetItem(Server.Id, new ServerHealth(HealthStatus.Unhealthy, Now, "down")),
        };
        Assert.Empty(Decide(OneServer, new ServerPoolCommands.Place([Request("a")]), seen).Events);
    }

    [Fact]
    public void Release_frees_the_slot_and_tells_the_queue_and_a_repeated_release_is_only_acknowledged()
    {
        var state = OneServer.Apply(new SlotsReserved([QueueStateTests.PlacementFor("a") with { Server = Server }]));

        var d = Decide(state, new ServerPoolCommands.Release("a"));
        var again = Decide(state.Apply(d.Events[0]), new ServerPoolCommands.Release("a"));

        Assert.Equal(new SlotReleased("a"), Assert.Single(d.Events));
        Assert.Contains(d.Effects, e => e is PoolEffect.ToQueue { Message: QueueCommands.CapacityChanged });
        Assert.Empty(again.Events);
        Assert.IsType<ServerPoolReplies.Released>(Assert.IsType<PoolEffect.Reply>(Assert.Single(again.Effects)).Message);
    }

    [Fact]
    public void A_server_with_jobs_is_not_removed()
    {
        var state = OneServer.Apply(new SlotsReserved([QueueStateTests.PlacementFor("a") with { Server = Server }]));
        var d = Decide(state, new ServerPoolCommands.Remove(Server.Id));

        Assert.Empty(d.Events);
        Assert.Equal(["a"], Assert.IsType<ServerPoolReplies.Busy>(Assert.IsType<PoolEffect.Reply>(Assert.Single(d.Effects)).Message).RunningJobs);
    }

    [Fact]
    public void A_server_whose_registration_probe_failed_is_refused_and_nothing_is_stored()
    {
        var probe = new ServerProbe.Result(Server.Id, Ok: false, HostKeyMismatch: true, "host key mismatch", Now);
        var d = Decide(PoolState.Empty, new PoolSignals.RegistrationProbed(Server, probe, ActorRefs.Nobody));

        Assert.Empty(d.Events);
        Assert.Equal("ssh_host_key_fingerprint", Assert.IsType<ServerPoolReplies.Rejected>(d.Effects.OfType<PoolEffect.Reply>().Single().Message).Field);
    }

    [Fact]
    public void A_probed_registration_is_stored_and_the_queue_told_of_the_capacity()
    {
        var probe = new ServerProbe.Result(Server.Id, Ok: true, HostKeyMismatch: false, null, Now);
        var d = Decide(PoolState.Empty, new PoolSignals.RegistrationProbed(Server, probe, ActorRefs.Nobody));

        Assert.Equal(Server.Id, Assert.IsType<ServerRegistered>(Assert.Single(d.Events)).Server.Id);
        Assert.Equal(HealthStatus.Healthy, d.Observations.Health[Server.Id].Status);
        Assert.Contains(d.Effects, e => e is PoolEffect.ToQueue { Message: QueueCommands.CapacityChanged });
        Assert.IsType<ServerPoolReplies.Registered>(d.Effects.OfType<PoolEffect.Reply>().Single().Message);
    }

    [Fact]
    public void A_pool_snapshot_gives_back_the_same_servers_draining_and_reservations()
    {
        var state = OneServer
            .Apply(new ServerRegistered(Server with { Id = "srv-2" }, Now.AddHours(1)))
            .Apply(new DrainChanged("srv-2", true, Now))
            .Apply(new SlotsReserved([QueueStateTests.PlacementFor("a") with { Server = Server }, QueueStateTests.PlacementFor("b") with { Server = Server }]))
            .Apply(new SlotReleased("a"));

        var back = PoolState.FromSnapshot(state.ToSnapshot());

        Assert.Equal(state.Servers.Keys.Order(), back.Servers.Keys.Order());
        Assert.Equal(state.Servers["srv-2"].RegisteredAt, back.Servers["srv-2"].RegisteredAt);
        Assert.Equal(state.Draining, back.Draining);
        Assert.Equal(state.JobsOn(Server.Id), back.JobsOn(Server.Id));
        Assert.Equal(state.NotFull.Order(), back.NotFull.Order());
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(state.ToSnapshot()), System.Text.Json.JsonSerializer.Serialize(back.ToSnapshot()));
    }
}
