using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>
/// Releases up to this one tagged every job event "job" for an EventsByTag read of the index.
/// Nothing reads those tags now, and they cost on every read of the journal: in tag-table mode
/// Akka.Persistence.Sql adds each event's tags through a subquery that linq2db turns into a scan of
/// the whole tags table (GROUP_CONCAT(CASE WHEN ordering_id = … THEN tag END) over every row), so
/// with one tag row per event, reading n events cost n scans of the journal's size: a first
/// catch-up of the index over 400,000 events ran at about 30 events/s, and every job actor's
/// recovery paid the same per event. Removing them (once; later runs find none) brings it back
/// to a read of the rows themselves (400,000 events in about 11 s).
/// </summary>
public sealed class LegacyJobTags(Func<DbConnection> connect, bool sqlite)
{
    public const string Tag = "job";

    public static LegacyJobTags Sqlite(string connectionString) => new(() => new SqliteConnection(connectionString), true);
    public static LegacyJobTags Postgres(string connectionString) => new(() => new NpgsqlConnection(connectionString), false);

    /// <summary>Deletes the job tags, if the journal has a tags table yet; returns how many there were.</summary>
    public async Task<int> RemoveAsync(CancellationToken ct = default)
    {
        await using var connection = connect();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tags'"
            : "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'tags'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(ct)) == 0) return 0;
        command.CommandText = "DELETE FROM tags WHERE tag = @tag";
        var tag = command.CreateParameter();
        tag.ParameterName = "tag";
        tag.Value = Tag;
        command.Parameters.Add(tag);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
