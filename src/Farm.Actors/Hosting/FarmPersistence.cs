namespace KernelFarm.Actors.Hosting;

/// <summary>The persistence plugins the farm's actors name (hocon/persistence-*.hocon configures them).</summary>
public static class FarmPersistence
{
    public const string ShardingJournal = "akka.persistence.journal.sharding";
    public const string ShardingSnapshots = "akka.persistence.snapshot-store.sharding";
}
