using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// The farm's persistence plugins, registered through Akka.Persistence.Sql.Hosting: the jobs'
/// journal and snapshots (the defaults, also read by the job index through the "sql" read journal),
/// the queue's journal, and sharding's journal and snapshots in tables of their own. The plugin ids,
/// providers, table mappings and table names are those of every earlier release, so their journals load.
/// </summary>
public static class FarmPersistence
{
    public const string JobsId = "sql", QueueId = "queue", ShardingId = "sharding";
    public const string QueueJournal = "akka.persistence.journal." + QueueId;
    public const string ShardingJournal = "akka.persistence.journal." + ShardingId;
    public const string ShardingSnapshots = "akka.persistence.snapshot-store." + ShardingId;

    /// <summary>The read journal's polling interval: how soon the job index sees a new event.</summary>
    public static readonly TimeSpan QueryRefreshInterval = TimeSpan.FromMilliseconds(200);

    public static AkkaConfigurationBuilder WithFarmPersistence(this AkkaConfigurationBuilder builder, FarmSettings settings)
    {
        var plugins = FarmPersistencePlugins.For(settings);
        return builder
            .WithSqlPersistence(plugins.Jobs, plugins.JobSnapshots)
            .WithSqlPersistence(plugins.Queue)
            .WithSqlPersistence(plugins.Sharding, plugins.ShardingSnapshots)
            .AddHocon(Unmapped(settings), HoconAddMode.Prepend);
    }

    /// <summary>
    /// What the plugins' options have no property for: SQLite's one writer per journal
    /// (parallelism = 1, SqliteFiles), and the queue's journal id, which QueueActor reads from the
    /// configuration (actor tests run it on the default in-memory journal without it).
    /// </summary>
    public static Config Unmapped(FarmSettings settings)
    {
        var journals = new Dictionary<string, object>();
        if (!FarmConfig.UsesPostgres(settings))
            foreach (var id in new[] { JobsId, QueueId, ShardingId })
                journals[id] = new Dictionary<string, object> { ["parallelism"] = 1 };
        return ConfigurationFactory.FromObject(new Dictionary<string, object>
        {
            ["kfarm"] = new Dictionary<string, object> { ["queue-journal-plugin"] = QueueJournal },
            ["akka"] = new Dictionary<string, object> { ["persistence"] = new Dictionary<string, object> { ["journal"] = journals } },
        });
    }

    /// <summary>
    /// The same plugins as a Config, for a plain ActorSystem without Akka.Hosting (the benchmarks'
    /// local systems): exactly what <see cref="WithFarmPersistence"/> adds to a host's configuration.
    /// </summary>
    public static Config LocalConfig(FarmSettings settings) =>
        new AkkaConfigurationBuilder(new ServiceCollection(), FarmConfig.SystemName).WithFarmPersistence(settings).Configuration.Value;
}
