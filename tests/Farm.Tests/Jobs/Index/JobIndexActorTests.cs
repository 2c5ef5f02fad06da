using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Jobs.Index;

/// <summary>The actor between the journal's event stream and a real SQLite store: it resumes where the store stopped.</summary>
public sealed class JobIndexActorTests : ActorTest, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("kfarm-index-actor-").FullName;
    private readonly IReadOnlyList<JournalEntry> _journal = JobHistories.Entries(50);
    private readonly ConcurrentQueue<long> _asked = new();

    void IDisposable.Dispose()
    {
        Shutdown();
        Directory.Delete(_directory, recursive: true);
    }

    private SqlJobIndexStore Store() => new(JobIndexDialect.Sqlite($"Data Source={Path.Combine(_directory, "farm-index.db")};Default Timeout=30;Pooling=False"));

    /// <summary>A live query over the first <paramref name="written"/> entries of the journal: what follows the offset, then nothing more.</summary>
    private Func<long, Source<EventEnvelope, NotUsed>> Journal(int written) => offset =>
    {
        _asked.Enqueue(offset);
        return Source.From(_journal.Take(written).Where(e => e.Ordering > offset)
                .Select(e => new EventEnvelope(Offset.Sequence(e.Ordering), e.PersistenceId, 1, e.Event, 0, [])))
            .Concat(Source.Never<EventEnvelope>());
    };

    private Task<JobIndexActor.Page> ListAsync(IActorRef index) =>
        index.Ask<JobIndexActor.Page>(new JobIndexActor.Query(JobFilter.All, 0, 1000), Wait);

    [Fact]
    public async Task A_restarted_index_reads_the_journal_after_its_stored_offset_and_lists_every_job()
    {
        var first = Sys.ActorOf(JobIndexActor.Props(Store(), Journal(written: 80)));
        var expected80 = JobHistories.List(JobHistories.Replay(_journal.Take(80)), JobFilter.All, 0, 1000);
        await Eventually.ValueAsync(() => ListAsync(first), p => p.Jobs.Select(JobHistories.Json).SequenceEqual(expected80.Jobs.Select(JobHistories.Json)),
            Wait, "the first 80 events listed");
        await first.GracefulStop(Wait);
        Assert.Equal([0L], _asked);

        var second = Sys.ActorOf(JobIndexActor.Props(Store(), Journal(written: _journal.Count)));
        var expected = JobHistories.List(JobHistories.Replay(_journal), JobFilter.All, 0, 1000);
        var page = await Eventually.ValueAsync(() => ListAsync(second), p => p.Jobs.Select(JobHistories.Json).SequenceEqual(expected.Jobs.Select(JobHistories.Json)),
            Wait, "every event listed");
        Assert.Equal(expected.Total, page.Total);
        Assert.Equal([0L, _journal[79].Ordering], _asked);
    }

    [Fact]
    public async Task Counts_durations_and_existence_are_answered_from_the_store()
    {
        var index = Sys.ActorOf(JobIndexActor.Props(Store(), Journal(written: _journal.Count)));
        var reference = JobHistories.Replay(_journal);
        await Eventually.ValueAsync(() => ListAsync(index), p => p.Total == reference.Count(j => j.Exists), Wait, "every job listed");

        var counts = await index.Ask<JobIndexActor.StatusCounts>(JobIndexActor.CountByStatus.Instance, Wait);
        Assert.Equal(reference.GroupBy(j => j.Status).ToDictionary(g => g.Key, g => g.Count()).OrderBy(c => c.Key), counts.Counts.OrderBy(c => c.Key));
        var durations = await index.Ask<JobIndexActor.DurationsByArchitecture>(new JobIndexActor.Durations(JobHistories.T0), Wait);
        Assert.Equal(DurationStats.ByArchitecture(reference, JobHistories.T0), durations.Architectures);
        Assert.True(await index.Ask<bool>(new JobIndexActor.Knows(JobHistories.Id(3)), Wait));
        Assert.False(await index.Ask<bool>(new JobIndexActor.Knows(JobHistories.Id(999)), Wait));
    }
}
