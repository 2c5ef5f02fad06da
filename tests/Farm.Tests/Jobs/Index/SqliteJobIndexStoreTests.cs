using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Microsoft.Data.Sqlite;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs.Index;

/// <summary>The store on a real SQLite file, its answers compared with the in-memory index it replaces.</summary>
public sealed class SqliteJobIndexStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kfarm-index-").FullName;
    private string File => Path.Combine(_directory, "farm-index.db");
    private SqlJobIndexStore NewStore() => new(JobIndexDialect.Sqlite($"Data Source={File};Default Timeout=30;Pooling=False"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(SqlJobIndexStore Store, IReadOnlyList<JobState> Reference)> LoadedAsync(int jobs, int batch = 37)
    {
        var store = NewStore();
        Assert.Equal(0, await store.StartAsync());
        var entries = JobHistories.Entries(jobs);
        foreach (var chunk in entries.Chunk(batch)) await store.ApplyAsync(chunk);
        return (store, JobHistories.Replay(entries));
    }

    private static void AssertSamePage((IReadOnlyList<JobState> Jobs, int Total) expected, JobIndexPage actual)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.Jobs.Select(JobHistories.Json), actual.Jobs.Select(JobHistories.Json));
    }

    public static TheoryData<string> Filters => ["all", "status", "server", "architecture", "since", "until", "window", "everything"];

    private static JobFilter FilterNamed(string name) => name switch
    {
        "all" => JobFilter.All,
        "status" => new JobFilter(Status: JobStatus.Completed),
        "server" => new JobFilter(Server: "srv-a"), // not SRV-A: servers compare exactly
        "architecture" => new JobFilter(Architecture: "Arm64"), // arm64 and ARM64: architectures ignore case
        "since" => new JobFilter(Since: JobHistories.T0.AddMinutes(10)), // inclusive, and equal to three jobs' creation
        "until" => new JobFilter(Until: JobHistories.T0.AddMinutes(10).ToOffset(TimeSpan.FromHours(5))), // exclusive; offsets do not matter
        "window" => new JobFilter(Since: JobHistories.T0.AddMinutes(3), Until: JobHistories.T0.AddMinutes(20)),
        _ => new JobFilter(JobStatus.Completed, "srv-b", "x86_64", JobHistories.T0, JobHistories.T0.AddHours(1)),
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Lists_match_the_in_memory_index_for_each_filter_and_page(string filter)
    {
        var (store, reference) = await LoadedAsync(120);
        foreach (var (offset, limit) in new[] { (0, 1000), (0, 7), (5, 7), (60, 50), (119, 10), (500, 10) })
            AssertSamePage(JobHistories.List(reference, FilterNamed(filter), offset, limit), await store.ListAsync(FilterNamed(filter), offset, limit));
    }

    [Fact]
    public async Task A_result_is_found_by_its_key_newest_build_first_and_never_a_job_that_took_one()
    {
        var store = NewStore();
        await store.StartAsync();
        await store.ApplyAsync(JobHistories.Results());

        await JobHistories.AssertResultsFoundAsync(store);
    }

    [Fact]
    public async Task Jobs_created_at_the_same_instant_are_ordered_by_id()
    {
        var (store, _) = await LoadedAsync(3);
        var page = await store.ListAsync(JobFilter.All, 0, 10);
        Assert.Equal([JobHistories.Id(0), JobHistories.Id(1), JobHistories.Id(2)], page.Jobs.Select(j => j.Id));
    }

    [Fact]
    public async Task Counts_durations_and_existence_match_the_in_memory_index()
    {
        var (store, reference) = await LoadedAsync(200);
        var counts = reference.Where(j => j.Exists).GroupBy(j => j.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(counts.OrderBy(c => c.Key), (await store.CountByStatusAsync()).OrderBy(c => c.Key));
        foreach (var since in new[] { JobHistories.T0.AddDays(-1), JobHistories.T0.AddMinutes(30), JobHistories.T0.AddDays(1) })
            Assert.Equal(DurationStats.ByArchitecture(reference, since), await store.DurationsAsync(since));
        Assert.True(await store.KnowsAsync(JobHistories.Id(199)));
        Assert.False(await store.KnowsAsync(JobHistories.Id(200)));
    }

    [Fact]
    public async Task The_offset_survives_a_restart_and_a_replayed_batch_is_not_applied_twice()
    {
        var entries = JobHistories.Entries(20);
        var first = NewStore();
        await first.StartAsync();
        Assert.Equal(entries[29].Ordering, await first.ApplyAsync(entries.Take(30).ToList()));

        var restarted = NewStore();
        Assert.Equal(entries[29].Ordering, await restarted.StartAsync());
        // A journal query restarted from an older offset delivers the first entries again.
        foreach (var chunk in entries.Skip(10).Chunk(8)) await restarted.ApplyAsync(chunk);

        AssertSamePage(JobHistories.List(JobHistories.Replay(entries), JobFilter.All, 0, 100), await restarted.ListAsync(JobFilter.All, 0, 100));
    }

    [Fact]
    public async Task Two_nodes_applying_the_same_entries_at_once_apply_each_once()
    {
        var entries = JobHistories.Entries(60);
        var (a, b) = (NewStore(), NewStore());
        await a.StartAsync();
        await b.StartAsync();
        await Task.WhenAll(
            Task.Run(async () => { foreach (var c in entries.Chunk(13)) await a.ApplyAsync(c); }),
            Task.Run(async () => { foreach (var c in entries.Chunk(17)) await b.ApplyAsync(c); }));

        AssertSamePage(JobHistories.List(JobHistories.Replay(entries), JobFilter.All, 0, 100), await a.ListAsync(JobFilter.All, 0, 100));
    }

    [Fact]
    public async Task Rows_of_another_projection_version_are_dropped_and_the_journal_read_again()
    {
        var (store, _) = await LoadedAsync(10);
        await using (var c = new SqliteConnection($"Data Source={File};Pooling=False"))
        {
            await c.OpenAsync();
            await using var command = c.CreateCommand();
            command.CommandText = $"UPDATE job_index_offset SET version = {JobProjection.Version - 1}";
            await command.ExecuteNonQueryAsync();
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ApplyAsync(JobHistories.Entries(11)));

        Assert.Equal(0, await NewStore().StartAsync());
        Assert.Equal(0, (await store.ListAsync(JobFilter.All, 0, 10)).Total);
    }

    [Fact]
    public async Task A_batch_of_events_the_index_does_not_read_still_moves_the_offset()
    {
        var store = NewStore();
        await store.StartAsync();
        Assert.Equal(4, await store.ApplyAsync([new JournalEntry(4, "build-queue", new Created("x", QueueStateTests.Request(), JobHistories.T0))]));
        Assert.Equal(4, await NewStore().StartAsync());
        Assert.Equal(0, (await store.ListAsync(JobFilter.All, 0, 10)).Total);
    }
}
