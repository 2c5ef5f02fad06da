using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Actors.Plans;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using Xunit;
using static KernelFarm.Messages.Plans.PlanEvents;

namespace KernelFarm.Tests.Plans;

/// <summary>The index's plan rows: projected from plan events beside the job rows, kept in SQLite, listed newest first.</summary>
public sealed class PlanProjectionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("kfarm-plan-index-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static PlanEvents.Accepted Plan(string id, int minutes) => new(id, "plan " + id, null, "git://r", "master", null, "ci",
        [new PlanBuild { Index = 0, Path = "jobs[0].build", JobId = "job-" + id, Request = new BuildJobRequest { SourceRepository = "git://r" } },
         new PlanBuild { Index = 1, Path = "jobs[0].builds[1]", Unsupported = "no" }], T0.AddMinutes(minutes))
    {
        Webhooks = [new Webhook { Url = "http://127.0.0.1:1/x", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer secret" } }],
    };

    private static JournalEntry Entry(long ordering, string persistenceId, object e) => new(ordering, persistenceId, e);

    [Fact]
    public void Plan_events_fold_into_records_and_other_entries_only_move_the_offset()
    {
        var batch = new[]
        {
            Entry(1, "plan-a", Plan("a", 0)),
            Entry(2, "job-x", new BuildJobEvents.CancelRequested(T0)), // a job's: not a plan row
            Entry(3, "plan-a", new BuildQueued(0, T0)),
            Entry(4, "plan-a", new Ended("pass", T0.AddMinutes(5))),
        };
        var records = PlanProjection.Apply(batch, stored: 0, new Dictionary<string, PlanRecord>());
        var a = Assert.Single(records);
        Assert.Equal(("a", "pass"), (a.Id, a.Result));
        Assert.Equal([0], a.Queued);
        Assert.Equal(T0.AddMinutes(5), a.EndedAt);

        // entries at or before the stored offset are already in the record
        Assert.Empty(PlanProjection.Apply(batch.Take(3), stored: 3, new Dictionary<string, PlanRecord> { ["a"] = a }));
        // a stored record goes on from where it was
        var cancelled = Assert.Single(PlanProjection.Apply([Entry(5, "plan-a", new CancelRequested(T0))], 4, new Dictionary<string, PlanRecord> { ["a"] = a }));
        Assert.NotNull(cancelled.CancelRequestedAt);
        Assert.Equal("pass", cancelled.Result);
    }

    [Fact]
    public void The_stored_document_leaves_out_requests_and_webhook_secrets()
    {
        var record = PlanState.Empty.Apply(Plan("a", 0)).Record!;
        var json = PlanProjection.Document(record);
        Assert.DoesNotContain("secret", json, StringComparison.Ordinal);
        var back = PlanProjection.ReadDocument(json);
        Assert.Empty(back.Webhooks);
        Assert.All(back.Builds, b => Assert.Null(b.Request));
        Assert.Equal(record.Builds.Select(b => (b.Path, b.JobId, b.Unsupported)), back.Builds.Select(b => (b.Path, b.JobId, b.Unsupported)));
    }

    [Fact]
    public async Task The_sqlite_store_lists_plans_newest_first_with_the_job_rows_under_one_offset()
    {
        var store = new SqlJobIndexStore(JobIndexDialect.Sqlite($"Data Source={Path.Combine(_directory, "farm-index.db")};Pooling=False"));
        await store.StartAsync();
        var entries = new List<JournalEntry>();
        for (var i = 0; i < 30; i++) entries.Add(Entry(i + 1, $"plan-p{i:D2}", Plan($"p{i:D2}", i)));
        entries.Add(Entry(31, "plan-p03", new Ended("fail", T0.AddHours(1))));
        foreach (var chunk in entries.Chunk(7)) await store.ApplyAsync(chunk);
        Assert.Equal(31, await store.ApplyAsync([])); // the offset covers the plan entries too

        var (page, total) = await store.ListPlansAsync(offset: 5, limit: 10);
        Assert.Equal(30, total);
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"p{i:D2}"), page.Select(p => p.Id));
        var (all, _) = await store.ListPlansAsync(0, 100);
        Assert.Equal("fail", all.Single(p => p.Id == "p03").Result);
        Assert.All(all.Where(p => p.Id != "p03"), p => Assert.Null(p.EndedAt));
    }
}
