namespace KernelFarm.Tests;

/// <summary>
/// The base of every actor test: TestKit on a local actor system with the in-memory journal and
/// snapshot store, warnings only. Each test gets its own system, so no journal outlives a test.
/// The default wait of an ExpectMsg is 10 s, not TestKit's 3 s: the first message of a fresh
/// system (JIT, dispatcher start) took over 3 s on two cores busy with the rest of the suite.
/// A wait only ends early when the message arrives, so a long limit costs passing tests nothing.
/// </summary>
public abstract class ActorTest() : Akka.TestKit.Xunit2.TestKit(Config)
{
    private const string Config = """
        akka.loglevel = WARNING
        akka.test.single-expect-default = 10s
        akka.actor.provider = local
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;
}
