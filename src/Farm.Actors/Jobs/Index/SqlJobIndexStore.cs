using System.Data.Common;
using KernelFarm.Actors.Plans;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;

namespace KernelFarm.Actors.Jobs.Index;

/// <summary>
/// The job index in two tables: job_index (one row per job, <see cref="JobIndexRow"/>) and
/// job_index_offset (the read-journal offset the rows include, and their <see cref="JobProjection.Version"/>).
/// Filters, order, paging, counts and percentiles run in SQL, so the node holds a page, never every job.
/// </summary>
public sealed class SqlJobIndexStore(JobIndexDialect dialect) : IJobIndexStore
{
    private const string Projection = "job-index";

    public async Task<long> StartAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await dialect.PrepareAsync(connection, ct);
        await ExecuteAsync(connection, null, ct, """
            CREATE TABLE IF NOT EXISTS job_index (
                id TEXT NOT NULL PRIMARY KEY,
                listed INTEGER NOT NULL,
                status TEXT NOT NULL,
                server_id TEXT NULL,
                architecture TEXT NULL,
                architecture_key TEXT NULL,
                created_at BIGINT NOT NULL,
                duration BIGINT NULL,
                state TEXT NOT NULL)
            """);
        // Covering indexes: a row holds a document of a few KiB, so a total, a count or a percentile
        // that scanned the table would read every document. The list's index is in the list's order.
        await ExecuteAsync(connection, null, ct,
            $"CREATE INDEX IF NOT EXISTS job_index_list ON job_index (listed, created_at DESC, {dialect.OrdinalId}, status, server_id, architecture_key)");
        await ExecuteAsync(connection, null, ct,
            "CREATE INDEX IF NOT EXISTS job_index_durations ON job_index (status, architecture, duration, created_at, listed)");
        // The plans' rows (PlanProjection), under the same offset.
        await ExecuteAsync(connection, null, ct, """
            CREATE TABLE IF NOT EXISTS plan_index (
                id TEXT NOT NULL PRIMARY KEY,
                created_at BIGINT NOT NULL,
                document TEXT NOT NULL)
            """);
        await ExecuteAsync(connection, null, ct, $"CREATE INDEX IF NOT EXISTS plan_index_list ON plan_index (created_at DESC, {dialect.OrdinalId})");
        // Completed builds by their inputs (result reuse): written with their job's row, under the same offset.
        await ExecuteAsync(connection, null, ct, """
            CREATE TABLE IF NOT EXISTS build_results (
                job_id TEXT NOT NULL PRIMARY KEY,
                reuse_key TEXT NOT NULL,
                completed_at BIGINT NOT NULL)
            """);
        await ExecuteAsync(connection, null, ct, "CREATE INDEX IF NOT EXISTS build_results_key ON build_results (reuse_key, completed_at DESC)");
        await ExecuteAsync(connection, null, ct, """
            CREATE TABLE IF NOT EXISTS job_index_offset (
                name TEXT NOT NULL PRIMARY KEY,
                version INTEGER NOT NULL,
                ordering BIGINT NOT NULL)
            """);

        await using var tx = await dialect.BeginWriteAsync(connection, ct);
        await ExecuteAsync(connection, tx, ct,
            "INSERT INTO job_index_offset (name, version, ordering) VALUES (@name, @version, 0) ON CONFLICT (name) DO NOTHING",
            ("name", Projection), ("version", JobProjection.Version));
        var (version, ordering) = await ReadOffsetAsync(connection, tx, ct);
        if (version != JobProjection.Version)
        {   // rows of another meaning: start again from the beginning of the journal
            await ExecuteAsync(connection, tx, ct, "DELETE FROM job_index");
            await ExecuteAsync(connection, tx, ct, "DELETE FROM build_results");
            await ExecuteAsync(connection, tx, ct, "UPDATE job_index_offset SET version = @version, ordering = 0 WHERE name = @name",
                ("name", Projection), ("version", JobProjection.Version));
            ordering = 0;
        }
        await tx.CommitAsync(ct);
        return ordering;
    }

    public async Task<long> ApplyAsync(IReadOnlyList<JournalEntry> batch, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await dialect.BeginWriteAsync(connection, ct);
        var (version, stored) = await ReadOffsetAsync(connection, tx, ct);
        if (version != JobProjection.Version)
            throw new InvalidOperationException($"the job index holds version {version} rows, this node writes version {JobProjection.Version}");
        var touched = JobProjection.Touched(batch, stored);
        if (touched.Count == 0 && batch.All(e => e.Ordering <= stored)) return stored;

        var plans = PlanProjection.Touched(batch, stored);
        if (plans.Count > 0)
        {
            var storedPlans = await LoadPlansAsync(connection, tx, plans, ct);
            foreach (var plan in PlanProjection.Apply(batch, stored, storedPlans))
                await ExecuteAsync(connection, tx, ct, """
                    INSERT INTO plan_index (id, created_at, document) VALUES (@id, @created, @document)
                    ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, document = excluded.document
                    """, ("id", plan.Id), ("created", plan.CreatedAt.UtcTicks), ("document", PlanProjection.Document(plan)));
        }

        var current = await LoadAsync(connection, tx, touched, ct);
        var result = JobProjection.Apply(batch, stored, current);
        foreach (var row in result.Rows)
            await ExecuteAsync(connection, tx, ct, """
                INSERT INTO job_index (id, listed, status, server_id, architecture, architecture_key, created_at, duration, state)
                VALUES (@id, @listed, @status, @server, @architecture, @key, @created, @duration, @state)
                ON CONFLICT (id) DO UPDATE SET listed = excluded.listed, status = excluded.status, server_id = excluded.server_id,
                    architecture = excluded.architecture, architecture_key = excluded.architecture_key, created_at = excluded.created_at,
                    duration = excluded.duration, state = excluded.state
                """,
                ("id", row.Id), ("listed", row.Listed ? 1 : 0), ("status", row.Status.ToString()), ("server", row.ServerId),
                ("architecture", row.Architecture), ("key", row.ArchitectureKey), ("created", row.CreatedAt.UtcTicks),
                ("duration", row.Duration?.Ticks), ("state", row.Document()));
        // builds only: a job that took another's result points at that build (reused_from names who built it)
        foreach (var row in result.Rows.Where(r => r.State is { Status: JobStatus.Completed, ReuseKey: not null, ReusedFrom: null }))
            await ExecuteAsync(connection, tx, ct, """
                INSERT INTO build_results (job_id, reuse_key, completed_at) VALUES (@id, @key, @at)
                ON CONFLICT (job_id) DO NOTHING
                """, ("id", row.Id), ("key", row.State.ReuseKey!), ("at", row.State.UpdatedAt.UtcTicks));
        await ExecuteAsync(connection, tx, ct, "UPDATE job_index_offset SET ordering = @ordering WHERE name = @name",
            ("name", Projection), ("ordering", result.Offset));
        await tx.CommitAsync(ct);
        return result.Offset;
    }

    public async Task<JobIndexPage> ListAsync(JobFilter filter, int offset, int limit, CancellationToken ct = default)
    {
        var (where, parameters) = Where(filter);
        await using var connection = await OpenAsync(ct);
        await using var tx = await dialect.BeginReadAsync(connection, ct);
        var total = Convert.ToInt32(await ScalarAsync(connection, tx, ct, $"SELECT COUNT(*) FROM job_index WHERE {where}", parameters));
        var jobs = new List<JobState>();
        if (total > offset)
        {
            // The page's ids from the index first, then only their documents.
            var order = $"ORDER BY created_at DESC, {dialect.OrdinalId}";
            await using var command = Command(connection, tx,
                $"SELECT state FROM job_index WHERE id IN (SELECT id FROM job_index WHERE {where} {order} LIMIT @limit OFFSET @offset) {order}",
                [.. parameters, ("limit", limit), ("offset", offset)]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) jobs.Add(JobIndexRow.ReadDocument(reader.GetString(0)));
        }
        await tx.CommitAsync(ct);
        return new JobIndexPage(jobs, total);
    }

    public async Task<(IReadOnlyList<PlanRecord> Plans, int Total)> ListPlansAsync(int offset, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await dialect.BeginReadAsync(connection, ct);
        var total = Convert.ToInt32(await ScalarAsync(connection, tx, ct, "SELECT COUNT(*) FROM plan_index"));
        var plans = new List<PlanRecord>();
        await using (var command = Command(connection, tx, $"SELECT document FROM plan_index ORDER BY created_at DESC, {dialect.OrdinalId} LIMIT @limit OFFSET @offset",
                         [("limit", limit), ("offset", offset)]))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) plans.Add(PlanProjection.ReadDocument(reader.GetString(0)));
        await tx.CommitAsync(ct);
        return (plans, total);
    }

    private static async Task<Dictionary<string, PlanRecord>> LoadPlansAsync(DbConnection connection, DbTransaction tx, IReadOnlySet<string> ids, CancellationToken ct)
    {
        var plans = new Dictionary<string, PlanRecord>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(200))
        {
            var names = chunk.Select((_, i) => "@id" + i).ToList();
            await using var command = Command(connection, tx, $"SELECT document FROM plan_index WHERE id IN ({string.Join(", ", names)})",
                chunk.Select((id, i) => ("id" + i, (object?)id)).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) { var plan = PlanProjection.ReadDocument(reader.GetString(0)); plans[plan.Id] = plan; }
        }
        return plans;
    }

    public async Task<JobState?> FindResultAsync(IReadOnlyCollection<string> reuseKeys, CancellationToken ct = default)
    {
        if (reuseKeys.Count == 0) return null;
        await using var connection = await OpenAsync(ct);
        var names = reuseKeys.Select((_, i) => "@k" + i).ToList();
        await using var command = Command(connection, null, $"""
            SELECT j.state FROM build_results b JOIN job_index j ON j.id = b.job_id
            WHERE b.reuse_key IN ({string.Join(", ", names)}) ORDER BY b.completed_at DESC LIMIT 1
            """, reuseKeys.Select((k, i) => ("k" + i, (object?)k)).ToArray());
        return await command.ExecuteScalarAsync(ct) is string document ? JobIndexRow.ReadDocument(document) : null;
    }

    public async Task<bool> KnowsAsync(string jobId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ScalarAsync(connection, null, ct, "SELECT 1 FROM job_index WHERE id = @id AND listed = 1", ("id", jobId)) is not null;
    }

    public async Task<IReadOnlyDictionary<JobStatus, int>> CountByStatusAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT status, COUNT(*) FROM job_index WHERE listed = 1 GROUP BY status", []);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<JobStatus, int>();
        while (await reader.ReadAsync(ct)) counts[Enum.Parse<JobStatus>(reader.GetString(0))] = Convert.ToInt32(reader.GetValue(1));
        return counts;
    }

    public async Task<IReadOnlyList<DurationStats.Summary>> DurationsAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        const string completed = "listed = 1 AND status = @status AND created_at >= @since AND duration IS NOT NULL";
        (string, object?)[] parameters = [("status", JobStatus.Completed.ToString()), ("since", since.UtcTicks)];
        await using var connection = await OpenAsync(ct);
        await using var tx = await dialect.BeginReadAsync(connection, ct);
        var groups = new List<(string Architecture, int Count, long Max)>();
        await using (var command = Command(connection, tx,
                         $"SELECT architecture, COUNT(*), MAX(duration) FROM job_index WHERE {completed} GROUP BY architecture", parameters))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                groups.Add((reader.GetString(0), Convert.ToInt32(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2))));

        // Each percentile is one row of the architecture's sorted durations: read just that row.
        async Task<TimeSpan> Percentile(string architecture, int count, int percent) =>
            TimeSpan.FromTicks(Convert.ToInt64(await ScalarAsync(connection, tx, ct,
                $"SELECT duration FROM job_index WHERE {completed} AND architecture = @architecture ORDER BY duration LIMIT 1 OFFSET @at",
                [.. parameters, ("architecture", architecture), ("at", DurationStats.NearestRankIndex(count, percent))])));

        var summaries = new List<DurationStats.Summary>();
        foreach (var (architecture, count, max) in groups.OrderBy(g => g.Architecture, StringComparer.Ordinal))
            summaries.Add(new DurationStats.Summary(architecture, count,
                await Percentile(architecture, count, 50), await Percentile(architecture, count, 90), TimeSpan.FromTicks(max)));
        await tx.CommitAsync(ct);
        return summaries;
    }

    /// <summary><see cref="JobFilter.Matches"/> as a WHERE clause.</summary>
    private static (string Where, (string, object?)[] Parameters) Where(JobFilter filter)
    {
        var clauses = new List<string> { "listed = 1" };
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            parameters.Add((name, value));
        }
        if (filter.Status is { } status) Add("status = @status", "status", status.ToString());
        if (filter.Server is { } server) Add("server_id = @server", "server", server);
        if (filter.Architecture is { } architecture) Add("architecture_key = @key", "key", JobIndexRow.Key(architecture)!);
        if (filter.Since is { } since) Add("created_at >= @since", "since", since.UtcTicks);
        if (filter.Until is { } until) Add("created_at < @until", "until", until.UtcTicks);
        return (string.Join(" AND ", clauses), parameters.ToArray());
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = dialect.Connect();
        await connection.OpenAsync(ct);
        return connection;
    }

    private async Task<(int Version, long Ordering)> ReadOffsetAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"SELECT version, ordering FROM job_index_offset WHERE name = @name{dialect.LockRow}", [("name", Projection)]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("the job index's offset row is missing (StartAsync makes it)");
        return (Convert.ToInt32(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)));
    }

    private static async Task<Dictionary<string, JobState>> LoadAsync(DbConnection connection, DbTransaction tx, IReadOnlySet<string> ids, CancellationToken ct)
    {
        var states = new Dictionary<string, JobState>(StringComparer.Ordinal);
        // In chunks: SQLite takes at most 32,766 parameters a statement, and long IN lists plan badly anyway.
        foreach (var chunk in ids.Chunk(200))
        {
            var names = chunk.Select((_, i) => "@id" + i).ToList();
            await using var command = Command(connection, tx, $"SELECT id, state FROM job_index WHERE id IN ({string.Join(", ", names)})",
                chunk.Select((id, i) => ("id" + i, (object?)id)).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) states[reader.GetString(0)] = JobIndexRow.ReadDocument(reader.GetString(1));
        }
        return states;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }
}
