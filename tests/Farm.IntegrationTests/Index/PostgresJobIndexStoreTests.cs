using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.Tests.Jobs.Index;
using Npgsql;
using Xunit;

namespace KernelFarm.IntegrationTests.Index;

/// <summary>
/// The job index's store on the real PostgreSQL server (a database of its own), compared with the
/// in-memory index it replaces: the cluster's nodes share these rows. (The same behaviours on SQLite:
/// Farm.Tests' SqliteJobIndexStoreTests.)
/// </summary>
public sealed class PostgresJobIndexStoreTests : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await Postgres.CreateDatabaseAsync();

    public Task DisposeAsync() => Postgres.DropDatabaseAsync(_database);

    /// <summary>As the farm makes it for a node with Farm__Persistence=postgres.</summary>
    private IJobIndexStore NewStore() =>
        JobIndexStorage.For(new FarmSettings { Persistence = "postgres", PostgresConnectionString = _database });

    private static void AssertSamePage((IReadOnlyList<JobState> Jobs, int Total) expected, JobIndexPage actual)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.Jobs.Select(JobHistories.Json), actual.Jobs.Select(JobHistories.Json));
    }

    [Fact]
    public async Task Lists_counts_and_durations_match_the_in_memory_index()
    {
        var store = NewStore();
        Assert.Equal(0, await store.StartAsync());
        var entries = JobHistories.Entries(150);
        foreach (var chunk in entries.Chunk(41)) await store.ApplyAsync(chunk);
        var reference = JobHistories.Replay(entries);

        var filters = new[]
        {
            JobFilter.All,
            new JobFilter(Status: Messages.Jobs.JobStatus.Completed),
            new JobFilter(Server: "srv-a"),
            new JobFilter(Architecture: "Arm64"),
            new JobFilter(Since: JobHistories.T0.AddMinutes(10), Until: JobHistories.T0.AddMinutes(30)),
        };
        foreach (var filter in filters)
        foreach (var (offset, limit) in new[] { (0, 1000), (5, 7), (140, 20) })
            AssertSamePage(JobHistories.List(reference, filter, offset, limit), await store.ListAsync(filter, offset, limit));

        var counts = reference.Where(j => j.Exists).GroupBy(j => j.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(counts.OrderBy(c => c.Key), (await store.CountByStatusAsync()).OrderBy(c => c.Key));
        Assert.Equal(DurationStats.ByArchitecture(reference, JobHistories.T0), await store.DurationsAsync(JobHistories.T0));
        Assert.True(await store.KnowsAsync(JobHistories.Id(149)));
        Assert.False(await store.KnowsAsync(JobHistories.Id(150)));
    }

    [Fact]
    public async Task A_result_is_found_by_its_key_newest_build_first()
    {
        var store = NewStore();
        await store.StartAsync();
        await store.ApplyAsync(JobHistories.Results());
        await JobHistories.AssertResultsFoundAsync(store);
    }

    [Fact]
    public async Task Ids_are_ordered_byte_by_byte_whatever_the_databases_collation()
    {
        var store = NewStore();
        await store.StartAsync();
        // Created at the same instant: ordered by id. A language collation ignores the hyphen and sorts "a-c" after "ab".
        var at = JobHistories.T0;
        var ids = new[] { "ab", "a-c", "A-d" };
        await store.ApplyAsync(ids.Select((id, i) => new JournalEntry(i + 1, "job-" + id,
            new Messages.Jobs.BuildJobEvents.Created(id, JobHistories.Request("x86_64"), at))).ToList());
        Assert.Equal(ids.Order(StringComparer.Ordinal), (await store.ListAsync(JobFilter.All, 0, 10)).Jobs.Select(j => j.Id));
    }

    [Fact]
    public async Task Nodes_applying_the_same_entries_at_once_apply_each_once_and_share_the_offset()
    {
        var entries = JobHistories.Entries(80);
        var nodes = new[] { NewStore(), NewStore(), NewStore() };
        foreach (var node in nodes) await node.StartAsync();
        await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
        {
            foreach (var chunk in entries.Chunk(11 + n * 6)) await node.ApplyAsync(chunk);
        })));

        AssertSamePage(JobHistories.List(JobHistories.Replay(entries), JobFilter.All, 0, 1000), await nodes[0].ListAsync(JobFilter.All, 0, 1000));
        Assert.Equal(entries[^1].Ordering, await NewStore().StartAsync());
    }

    [Fact]
    public async Task A_postgres_node_keeps_its_index_in_the_clusters_database()
    {
        await NewStore().StartAsync();
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('job_index', 'job_index_offset')", connection);
        Assert.Equal(2L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_job_tags_of_earlier_releases_are_removed_from_the_journal()
    {
        await using (var c = new NpgsqlConnection(_database))
        {
            await c.OpenAsync();
            await using var command = c.CreateCommand();
            // the tag table as Akka.Persistence.Sql makes it for PostgreSQL, with a release's job tags and one of another reader
            command.CommandText = """
                CREATE TABLE tags (ordering_id BIGINT NOT NULL, tag VARCHAR(64) NOT NULL, sequence_nr BIGINT NOT NULL,
                    persistence_id VARCHAR(255) NOT NULL, PRIMARY KEY (ordering_id, tag));
                INSERT INTO tags VALUES (1, 'job', 1, 'job-a'), (2, 'job', 2, 'job-a'), (2, 'other', 2, 'job-a');
                """;
            await command.ExecuteNonQueryAsync();
        }
        var tags = JobIndexStorage.LegacyTags(new FarmSettings { Persistence = "postgres", PostgresConnectionString = _database });
        Assert.Equal(2, await tags.RemoveAsync());
        Assert.Equal(0, await tags.RemoveAsync());
        await using (var c = new NpgsqlConnection(_database))
        {
            await c.OpenAsync();
            await using var command = c.CreateCommand();
            command.CommandText = "SELECT string_agg(tag, ',') FROM tags";
            Assert.Equal("other", await command.ExecuteScalarAsync());
        }
    }
}
