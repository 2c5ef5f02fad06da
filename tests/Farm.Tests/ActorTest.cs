namespace KernelFarm.Tests;

/// <summary>
/// The base of every actor test: TestKit on a local actor system with the in-memory journal and
/// snapshot store, warnings only. Each test gets its own system, so no journal outlives a test.
/// </summary>
public abstract class ActorTest() : Akka.TestKit.Xunit2.TestKit(Config)
{
    private const string Config = """
        akka.loglevel = WARNING
        akka.actor.provider = local
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;
}
