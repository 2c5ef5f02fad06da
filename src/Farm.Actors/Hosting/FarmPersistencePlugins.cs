using System.Data;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// The options of the farm's five persistence plugins (<see cref="FarmPersistence"/>) for the
/// configured store: one PostgreSQL database shared by every node, or the SQLite files of
/// <see cref="SqliteFiles"/>. Table mapping only names the mapping (its columns are the
/// plugin's defaults); sharding keeps tables of its own (sharding_journal, sharding_snapshot).
/// </summary>
public sealed record FarmPersistencePlugins(
    SqlJournalOptions Jobs,
    SqlSnapshotOptions JobSnapshots,
    SqlJournalOptions Queue,
    SqlJournalOptions Sharding,
    SqlSnapshotOptions ShardingSnapshots)
{
    public const string PostgresProvider = "PostgreSQL.15", SqliteProvider = "SQLite.MS";
    public const string ShardingJournalTable = "sharding_journal", ShardingMetadataTable = "sharding_journal_metadata",
        ShardingSnapshotTable = "sharding_snapshot";

    public static FarmPersistencePlugins For(FarmSettings settings) =>
        FarmConfig.UsesPostgres(settings) ? Postgres(settings.PostgresConnectionString) : Sqlite(SqliteFiles.For(settings));

    /// <summary>Every plugin in the one database; the jobs' and the queue's events share its tables.</summary>
    public static FarmPersistencePlugins Postgres(string connectionString)
    {
        SqlJournalOptions Journal(string id, bool isDefault, JournalDatabaseOptions tables, TagMode? tags) =>
            new(isDefault, id) { ConnectionString = connectionString, ProviderName = PostgresProvider, DatabaseOptions = tables, TagStorageMode = tags };
        SqlSnapshotOptions Snapshots(string id, bool isDefault, SnapshotDatabaseOptions tables) =>
            new(isDefault, id) { ConnectionString = connectionString, ProviderName = PostgresProvider, DatabaseOptions = tables };
        var jobs = Journal(FarmPersistence.JobsId, true, new(DatabaseMapping.PostgreSql), TagMode.TagTable);
        jobs.QueryRefreshInterval = FarmPersistence.QueryRefreshInterval;
        return new(
            jobs,
            Snapshots(FarmPersistence.JobsId, true, new(DatabaseMapping.PostgreSql)),
            Journal(FarmPersistence.QueueId, false, new(DatabaseMapping.PostgreSql), TagMode.TagTable),
            Journal(FarmPersistence.ShardingId, false, ShardingJournalTables(DatabaseMapping.PostgreSql), null),
            Snapshots(FarmPersistence.ShardingId, false, ShardingSnapshotTables(DatabaseMapping.PostgreSql)));
    }

    /// <summary>
    /// A file each for the jobs, the queue and sharding. Reads run at read-uncommitted: how
    /// Microsoft.Data.Sqlite is told to begin a deferred transaction (without a shared cache it
    /// still reads committed data), so a read never takes the write lock.
    /// </summary>
    public static FarmPersistencePlugins Sqlite(SqliteFiles files)
    {
        SqlJournalOptions Journal(string id, bool isDefault, string file, JournalDatabaseOptions tables, TagMode? tags) =>
            new(isDefault, id)
            {
                ConnectionString = SqliteFiles.ConnectionString(file), ProviderName = SqliteProvider, DatabaseOptions = tables,
                TagStorageMode = tags, ReadIsolationLevel = IsolationLevel.ReadUncommitted,
            };
        SqlSnapshotOptions Snapshots(string id, bool isDefault, string file, SnapshotDatabaseOptions tables) =>
            new(isDefault, id)
            {
                ConnectionString = SqliteFiles.ConnectionString(file), ProviderName = SqliteProvider, DatabaseOptions = tables,
                ReadIsolationLevel = IsolationLevel.ReadUncommitted,
            };
        var jobs = Journal(FarmPersistence.JobsId, true, files.Journal, new(DatabaseMapping.Sqlite), TagMode.TagTable);
        jobs.QueryRefreshInterval = FarmPersistence.QueryRefreshInterval;
        return new(
            jobs,
            Snapshots(FarmPersistence.JobsId, true, files.Journal, new(DatabaseMapping.Sqlite)),
            Journal(FarmPersistence.QueueId, false, files.Queue, new(DatabaseMapping.Sqlite), null),
            Journal(FarmPersistence.ShardingId, false, files.Sharding, ShardingJournalTables(DatabaseMapping.Sqlite), null),
            Snapshots(FarmPersistence.ShardingId, false, files.Sharding, ShardingSnapshotTables(DatabaseMapping.Sqlite)));
    }

    private static JournalDatabaseOptions ShardingJournalTables(DatabaseMapping mapping) => new(mapping)
    {
        JournalTable = new JournalTableOptions { TableName = ShardingJournalTable },
        MetadataTable = new MetadataTableOptions { TableName = ShardingMetadataTable },
    };

    private static SnapshotDatabaseOptions ShardingSnapshotTables(DatabaseMapping mapping) => new(mapping)
    {
        SnapshotTable = new SnapshotTableOptions { TableName = ShardingSnapshotTable },
    };
}
