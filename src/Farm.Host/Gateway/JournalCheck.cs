using System.Data.Common;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KernelFarm.Host.Gateway;

/// <summary>Readiness: can this node reach the journal's database right now (a round trip, not a cached answer)?</summary>
public static class JournalCheck
{
    public static async Task<string?> ProblemAsync(FarmSettings settings, CancellationToken ct)
    {
        try
        {
            await using DbConnection connection = FarmConfig.UsesPostgres(settings)
                // Unpooled: a pooled connection would answer from a session opened before the database went away.
                ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString) { Pooling = false, Timeout = 3 }.ConnectionString)
                : new SqliteConnection(FarmConfig.SqliteConnectionString(settings));
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return null;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            return e.Message;
        }
    }
}
