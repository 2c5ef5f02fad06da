using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using Xunit;

namespace KernelFarm.Tests.Hosting;

/// <summary>Which SQLite file each journal writes, for a new data directory and for one made before the split.</summary>
public sealed class SqliteFilesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("kfarm-sqlite-files-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private FarmSettings Settings => new() { DataDirectory = _data, ClusterHostname = "127.0.0.1" };

    private string Connection(string key) => FarmPersistence.LocalConfig(Settings).GetString($"akka.persistence.{key}.connection-string");

    [Fact]
    public void A_new_data_directory_gives_jobs_queue_and_sharding_a_file_each()
    {
        var files = SqliteFiles.For(Settings);
        Assert.Equal(
            [Path.Combine(_data, "farm-queue.db"), Path.Combine(_data, "farm-sharding.db"), Path.Combine(_data, "farm.db")],
            files.Distinct());
        Assert.Contains("farm.db;", Connection("journal.sql"));
        Assert.Contains("farm.db;", Connection("query.journal.sql"));
        Assert.Contains("farm-queue.db;", Connection("journal.queue"));
        Assert.Contains("farm-sharding.db;", Connection("journal.sharding"));
        Assert.Contains("farm-sharding.db;", Connection("snapshot-store.sharding"));
        Assert.Equal("akka.persistence.journal.queue", FarmPersistence.LocalConfig(Settings).GetString("kfarm.queue-journal-plugin"));
    }

    [Fact]
    public void A_data_directory_from_before_the_split_keeps_everything_in_farm_db()
    {
        File.WriteAllBytes(Path.Combine(_data, "farm.db"), []);
        Assert.Equal([Path.Combine(_data, "farm.db")], SqliteFiles.For(Settings).Distinct());
        Assert.Contains("farm.db;", Connection("journal.queue"));
        Assert.Contains("farm.db;", Connection("journal.sharding"));
    }

    [Fact]
    public void Once_split_a_directory_stays_split()
    {
        File.WriteAllBytes(Path.Combine(_data, "farm.db"), []);
        File.WriteAllBytes(Path.Combine(_data, "farm-queue.db"), []);
        Assert.Equal(3, SqliteFiles.For(Settings).Distinct().Count());
    }
}
