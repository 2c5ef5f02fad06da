using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>What differs between the index's two databases; the SQL itself is shared.</summary>
public abstract class JobIndexDialect
{
    public abstract DbConnection Connect();

    /// <summary>
    /// A writing transaction that holds the offset row until it ends (no other writer applies meanwhile).
    /// Its commit is not waited to disk: a crash may lose the last commits, never half of one, and the
    /// index then reads those events again from the older offset (they are in the journal). One fsync
    /// less per batch; the index is rebuilt from the journal anyway.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A reading transaction: a page and its total come from one snapshot.</summary>
    public abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Appended to the offset row's SELECT in a writing transaction.</summary>
    public abstract string LockRow { get; }

    /// <summary>Ids compared byte by byte, as the list orders them (StringComparer.Ordinal).</summary>
    public abstract string OrdinalId { get; }

    /// <summary>Run once when the store starts, before the tables are made.</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public static JobIndexDialect Sqlite(string connectionString) => new SqliteDialect(connectionString);
    public static JobIndexDialect Postgres(string connectionString) => new PostgresDialect(connectionString);

    private sealed class SqliteDialect(string connectionString) : JobIndexDialect
    {
        public override DbConnection Connect() => new SqliteConnection(connectionString);

        // BEGIN IMMEDIATE: the file's write lock from the start, so no other writer reads the offset in between.
        public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct)
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA synchronous=NORMAL;"; // in WAL mode: commits are atomic, not each synced
                await command.ExecuteNonQueryAsync(ct);
            }
            return ((SqliteConnection)connection).BeginTransaction(deferred: false);
        }

        public override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
            Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

        public override string LockRow => "";
        public override string OrdinalId => "id"; // SQLite's default collation (BINARY) is ordinal

        // WAL: lists read while the projection writes.
        public override async Task PrepareAsync(DbConnection connection, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private sealed class PostgresDialect(string connectionString) : JobIndexDialect
    {
        public override DbConnection Connect() => new NpgsqlConnection(connectionString);

        public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct)
        {
            var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "SET LOCAL synchronous_commit = off";
            await command.ExecuteNonQueryAsync(ct);
            return tx;
        }

        public override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
            await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

        public override string LockRow => " FOR UPDATE";
        public override string OrdinalId => "id COLLATE \"C\""; // the database's collation may sort by language rules
    }
}
