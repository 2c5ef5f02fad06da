using Akka.Configuration;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KernelFarm.Tests.Hosting;

/// <summary>
/// The persistence plugins as Akka.Persistence.Sql.Hosting configures them (<see cref="FarmPersistence"/>):
/// the ids, providers, tables and tuning of every earlier release, so the journals they wrote still load.
/// </summary>
public sealed class FarmPersistencePluginsTests : IDisposable
{
    private const string Journal = "akka.persistence.journal.", Snapshots = "akka.persistence.snapshot-store.", Query = "akka.persistence.query.journal.sql";
    private static readonly string[] Plugins = [Journal + "sql", Journal + "queue", Journal + "sharding", Snapshots + "sql", Snapshots + "sharding"];
    private static readonly string Release = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../tests/fixtures/upgrade/8457cc2/data"));

    // A password with a quote and a backslash: the options quote values, nothing is pasted into HOCON.
    private const string PostgresConnection = """Host=db.example;Database=farm;Username=farm;Password=p"w\x;""";

    private readonly string _data = Directory.CreateTempSubdirectory("kfarm-plugins-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Config Sqlite => FarmPersistence.LocalConfig(new FarmSettings { DataDirectory = _data });
    private static Config Postgres => FarmPersistence.LocalConfig(new FarmSettings { Persistence = "postgres", PostgresConnectionString = PostgresConnection });

    public static TheoryData<string> Stores => new() { "sqlite", "postgres" };
    private Config For(string store) => store == "sqlite" ? Sqlite : Postgres;

    [Theory]
    [MemberData(nameof(Stores))]
    public void The_jobs_plugins_are_the_defaults_and_the_sql_read_journal_reads_the_jobs_journal_every_200_ms(string store)
    {
        var config = For(store);
        Assert.Equal(Journal + "sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal(Snapshots + "sql", config.GetString("akka.persistence.snapshot-store.plugin"));
        Assert.Equal(Journal + "sql", config.GetString(Query + ".write-plugin"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.GetTimeSpan(Query + ".refresh-interval"));
        Assert.StartsWith("Akka.Persistence.Sql.Query.SqlReadJournalProvider,", config.GetString(Query + ".class"));
        Assert.Equal(FarmPersistence.QueueJournal, config.GetString("kfarm.queue-journal-plugin"));
        Assert.Equal(Journal + "queue", FarmPersistence.QueueJournal);
        Assert.Equal(Journal + "sharding", FarmPersistence.ShardingJournal);
        Assert.Equal(Snapshots + "sharding", FarmPersistence.ShardingSnapshots);
    }

    [Theory]
    [InlineData("sqlite", "SQLite.MS")]
    [InlineData("postgres", "PostgreSQL.15")]
    public void Every_plugin_is_a_SQL_plugin_with_the_provider_and_table_mapping_of_earlier_releases_and_creates_its_tables(string store, string provider)
    {
        var config = For(store);
        var mapping = store == "sqlite" ? "sqlite" : "postgresql";
        foreach (var plugin in Plugins.Append(Query))
        {
            Assert.Equal(provider, config.GetString(plugin + ".provider-name"));
            Assert.Equal(mapping, config.GetString(plugin + ".table-mapping"));
        }
        foreach (var plugin in Plugins)
        {
            Assert.True(config.GetBoolean(plugin + ".auto-initialize"), plugin);
            Assert.StartsWith(plugin.StartsWith(Journal) ? "Akka.Persistence.Sql.Journal.SqlWriteJournal," : "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore,",
                config.GetString(plugin + ".class"));
        }
        // The jobs' events are tagged in the tag table (the job index reads them); the queue's too on PostgreSQL, as before.
        Assert.Equal("TagTable", config.GetString(Journal + "sql.tag-write-mode"));
        if (store == "postgres") Assert.Equal("TagTable", config.GetString(Journal + "queue.tag-write-mode"));
    }

    [Theory]
    [InlineData("sqlite", "event_journal", "snapshot")]
    [InlineData("postgres", "event_journal", "snapshot_store")]
    public void Jobs_and_queue_write_the_mappings_tables_and_sharding_tables_of_its_own(string store, string journalTable, string snapshotTable)
    {
        var config = For(store);
        var mapping = store == "sqlite" ? "sqlite" : "postgresql";
        Assert.Equal(journalTable, config.GetString($"{Journal}sql.{mapping}.journal.table-name"));
        Assert.Equal(journalTable, config.GetString($"{Journal}queue.{mapping}.journal.table-name"));
        Assert.Equal(snapshotTable, config.GetString($"{Snapshots}sql.{mapping}.snapshot.table-name"));
        Assert.Equal("sharding_journal", config.GetString($"{Journal}sharding.{mapping}.journal.table-name"));
        Assert.Equal("sharding_journal_metadata", config.GetString($"{Journal}sharding.{mapping}.metadata.table-name"));
        Assert.Equal("sharding_snapshot", config.GetString($"{Snapshots}sharding.{mapping}.snapshot.table-name"));
    }

    [Fact]
    public void The_SQLite_tables_named_are_the_tables_release_8457cc2_wrote()
    {
        var config = Sqlite;
        string[] Tables(string file)
        {
            // A copy: opening a WAL database writes beside it, even read-only, and the fixture stays as the release left it.
            var copy = Path.Combine(_data, file);
            File.Copy(Path.Combine(Release, file), copy, overwrite: true);
            using var c = new SqliteConnection($"Data Source={copy};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var r = cmd.ExecuteReader();
            var names = new List<string>();
            while (r.Read()) names.Add(r.GetString(0));
            return [.. names];
        }
        Assert.Contains(config.GetString(Journal + "sql.sqlite.journal.table-name"), Tables(SqliteFiles.JournalFile));
        Assert.Contains(config.GetString(Snapshots + "sql.sqlite.snapshot.table-name"), Tables(SqliteFiles.JournalFile));
        Assert.Contains(config.GetString(Journal + "queue.sqlite.journal.table-name"), Tables(SqliteFiles.QueueFile));
        Assert.Contains(config.GetString(Journal + "sharding.sqlite.journal.table-name"), Tables(SqliteFiles.ShardingFile));
        Assert.Contains(config.GetString(Snapshots + "sharding.sqlite.snapshot.table-name"), Tables(SqliteFiles.ShardingFile));
    }

    [Fact]
    public void SQLite_gives_each_journal_one_writer_and_reads_without_taking_the_write_lock()
    {
        var config = Sqlite;
        foreach (var journal in new[] { "sql", "queue", "sharding" })
            Assert.Equal(1, config.GetInt($"{Journal}{journal}.parallelism"));
        foreach (var plugin in Plugins.Append(Query))
            Assert.Equal("read-uncommitted", config.GetString(plugin + ".read-isolation-level"));
    }

    [Fact]
    public void PostgreSQL_keeps_every_plugin_in_the_one_database_with_the_plugins_own_tuning()
    {
        var config = Postgres;
        foreach (var plugin in Plugins.Append(Query))
        {
            Assert.Equal(PostgresConnection, config.GetString(plugin + ".connection-string"));
            Assert.NotEqual("read-uncommitted", config.GetString(plugin + ".read-isolation-level"));
        }
        foreach (var journal in new[] { "sql", "queue", "sharding" })
            Assert.NotEqual(1, config.GetInt($"{Journal}{journal}.parallelism"));
    }
}
