using KernelFarm.Actors.Jobs.Index;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KernelFarm.Tests.Jobs.Index;

/// <summary>
/// The job tags earlier releases wrote are removed from a SQLite journal, and nothing else is.
/// (A real journal of release 8457cc2: UpgradeTests; PostgreSQL: PostgresJobIndexStoreTests.)
/// </summary>
public sealed class LegacyJobTagsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"kfarm-legacy-tags-{Guid.NewGuid():N}.db");
    private string ConnectionString => $"Data Source={_file};Pooling=False";

    public void Dispose() => File.Delete(_file);

    /// <summary>The tag table as Akka.Persistence.Sql makes it for SQLite.</summary>
    private void CreateTagTable(params (long Ordering, string Tag)[] rows)
    {
        using var c = new SqliteConnection(ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = """
            CREATE TABLE [tags] ([ordering_id] INTEGER NOT NULL, [tag] NVarChar(64) NOT NULL, [sequence_nr] INTEGER NOT NULL,
                [persistence_id] NVarChar(255) NOT NULL, CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag]));
            """;
        command.ExecuteNonQuery();
        foreach (var (ordering, tag) in rows)
        {
            command.CommandText = $"INSERT INTO tags VALUES ({ordering}, '{tag}', 1, 'p-{ordering}')";
            command.ExecuteNonQuery();
        }
    }

    private List<string> Tags()
    {
        using var c = new SqliteConnection(ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT tag FROM tags ORDER BY ordering_id, tag";
        using var reader = command.ExecuteReader();
        var tags = new List<string>();
        while (reader.Read()) tags.Add(reader.GetString(0));
        return tags;
    }

    [Fact]
    public async Task Only_the_job_tags_go_and_a_second_run_finds_none()
    {
        CreateTagTable((1, "job"), (2, "job"), (2, "audit"), (3, "jobs"), (4, "job"));
        var tags = LegacyJobTags.Sqlite(ConnectionString);

        Assert.Equal(3, await tags.RemoveAsync());
        Assert.Equal(["audit", "jobs"], Tags());
        Assert.Equal(0, await tags.RemoveAsync());
    }

    [Fact]
    public async Task A_journal_without_a_tag_table_is_left_as_it_is()
    {
        Assert.Equal(0, await LegacyJobTags.Sqlite(ConnectionString).RemoveAsync());
        using var c = new SqliteConnection(ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master";
        Assert.Equal(0L, command.ExecuteScalar());
    }
}
