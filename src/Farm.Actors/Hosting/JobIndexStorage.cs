using KernelFarm.Actors.Jobs.Index;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Where a node's job index keeps its rows: with PostgreSQL, in the cluster's database beside the
/// journal (every node's index reads and writes the same rows); embedded, in its own SQLite file
/// (<see cref="SqliteFiles.Index"/>).
/// </summary>
public static class JobIndexStorage
{
    public static IJobIndexStore For(FarmSettings settings) => new SqlJobIndexStore(
        FarmConfig.UsesPostgres(settings)
            ? JobIndexDialect.Postgres(settings.PostgresConnectionString)
            : JobIndexDialect.Sqlite(SqliteFiles.ConnectionString(SqliteFiles.For(settings).Index)));

    /// <summary>The job tags an earlier release wrote into the journal (<see cref="LegacyJobTags"/>).</summary>
    public static LegacyJobTags LegacyTags(FarmSettings settings) => FarmConfig.UsesPostgres(settings)
        ? LegacyJobTags.Postgres(settings.PostgresConnectionString)
        : LegacyJobTags.Sqlite(FarmConfig.SqliteConnectionString(settings));
}
