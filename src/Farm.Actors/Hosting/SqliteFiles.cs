namespace KernelFarm.Actors.Hosting;

/// <summary>
/// The embedded default's SQLite files. SQLite allows one writer per file and makes a blocked
/// writer sleep (Microsoft.Data.Sqlite retries a busy database every 150 ms), so the three
/// streams of writes that run at once when jobs are submitted each get a file of their own:
/// the jobs' events (farm.db, also read by the job index), the queue's events (farm-queue.db) and
/// sharding's remembered jobs and coordinator state (farm-sharding.db). Nothing spans the files:
/// each persistent actor's events live in one of them.
/// A data directory made before the split (farm.db alone) keeps everything in farm.db, so an
/// upgrade finds its waiting jobs and remembered entities where it left them.
/// </summary>
public sealed record SqliteFiles(string Journal, string Queue, string Sharding)
{
    public const string JournalFile = "farm.db", QueueFile = "farm-queue.db", ShardingFile = "farm-sharding.db";

    public static SqliteFiles For(FarmSettings s)
    {
        string Path(string name) => System.IO.Path.Combine(s.DataDirectory, name);
        var legacy = File.Exists(Path(JournalFile)) && !File.Exists(Path(QueueFile));
        return legacy
            ? new(Path(JournalFile), Path(JournalFile), Path(JournalFile))
            : new(Path(JournalFile), Path(QueueFile), Path(ShardingFile));
    }

    /// <summary>The files, farm.db last: a first start that dies between creating them is not taken for an old directory.</summary>
    public IEnumerable<string> Distinct() => new[] { Queue, Sharding, Journal }.Distinct(StringComparer.Ordinal);

    public const string IndexFile = "farm-index.db";

    /// <summary>
    /// The job index's rows and read-journal offset (farm-index.db beside farm.db): a writer of its own,
    /// as above. Derived from the journal and rebuilt from it when missing, so a legacy directory gets one too.
    /// </summary>
    public string Index => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Journal) ?? "", IndexFile);

    public static string ConnectionString(string file) => $"Data Source={file};Default Timeout=30;Pooling=True";
}
