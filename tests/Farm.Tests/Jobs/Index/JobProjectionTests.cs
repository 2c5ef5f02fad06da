using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Tests.Queue;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs.Index;

public sealed class JobProjectionTests
{
    private static readonly DateTimeOffset T0 = JobHistories.T0;
    private static readonly IReadOnlyDictionary<string, JobState> Nothing = new Dictionary<string, JobState>();

    private static JournalEntry Entry(long ordering, string jobId, object e) => new(ordering, "job-" + jobId, e);

    [Fact]
    public void A_batch_folds_each_jobs_events_in_journal_order_onto_its_stored_state()
    {
        var stored = JobState.Queued("a", QueueStateTests.Request(), T0);
        var batch = new[]
        {
            Entry(12, "a", new StepStarted(JobStatus.Building, T0.AddSeconds(20))),
            Entry(11, "a", new Assigned(QueueStateTests.PlacementFor("a"), "/ws", 1, T0.AddSeconds(10))),
            Entry(13, "b", new Created("b", QueueStateTests.Request("arm64"), T0)),
        };
        var result = JobProjection.Apply(batch, 10, new Dictionary<string, JobState> { ["a"] = stored });

        Assert.Equal(13, result.Offset);
        var a = Assert.Single(result.Rows, r => r.Id == "a");
        Assert.Equal(JobHistories.Json(stored.Apply((IJobEvent)batch[1].Event).Apply((IJobEvent)batch[0].Event)), JobHistories.Json(a.State));
        Assert.Equal(("srv-1", JobStatus.Building), (a.ServerId, a.Status));
        var b = Assert.Single(result.Rows, r => r.Id == "b");
        Assert.Equal(("arm64", "ARM64", true), (b.Architecture, b.ArchitectureKey, b.Listed));
    }

    [Fact]
    public void Entries_at_or_before_the_stored_offset_are_already_applied_and_change_nothing()
    {
        var batch = new[] { Entry(5, "a", new Created("a", QueueStateTests.Request(), T0)), Entry(6, "a", new Cancelled(T0.AddSeconds(1))) };

        var replayed = JobProjection.Apply(batch, 6, Nothing);
        Assert.Empty(replayed.Rows);
        Assert.Equal(6, replayed.Offset);
        Assert.Empty(JobProjection.Touched(batch, 6));

        var half = JobProjection.Apply(batch, 5, new Dictionary<string, JobState> { ["a"] = JobState.Queued("a", QueueStateTests.Request(), T0) });
        Assert.Equal([JobStatus.Queued, JobStatus.Cancelled], Assert.Single(half.Rows).State.Transitions.Select(t => t.Status));
    }

    [Fact]
    public void Events_the_index_does_not_read_move_the_offset_and_touch_no_row()
    {
        var batch = new[]
        {
            new JournalEntry(1, "build-queue", new QueueEvents.JobHandedOver("a")),
            new JournalEntry(2, "job-a", "not a job event"),
            new JournalEntry(3, "server-pool", new Created("x", QueueStateTests.Request(), T0)),
        };
        var result = JobProjection.Apply(batch, 0, Nothing);
        Assert.Empty(result.Rows);
        Assert.Equal(3, result.Offset);
        Assert.Empty(JobProjection.Touched(batch, 0));
    }

    [Fact]
    public void A_job_seen_before_its_Created_is_kept_but_not_listed()
    {
        var row = Assert.Single(JobProjection.Apply([Entry(1, "a", new CancelRequested(T0))], 0, Nothing).Rows);
        Assert.False(row.Listed);
        Assert.Null(row.Architecture);
    }

    [Fact]
    public void A_completed_row_carries_the_duration_the_stats_use_and_no_other_row_does()
    {
        var rows = JobProjection.Apply(JobHistories.Entries(40), 0, Nothing).Rows;
        foreach (var row in rows)
            Assert.Equal(row.Status == JobStatus.Completed ? DurationStats.DurationOf(row.State) : null, row.Duration);
        Assert.Contains(rows, r => r.Duration is not null);
    }

    [Fact]
    public void The_rows_of_a_whole_history_hold_the_states_an_in_memory_replay_makes()
    {
        var entries = JobHistories.Entries(30);
        var rows = JobProjection.Apply(entries, 0, Nothing).Rows;
        Assert.Equal(JobHistories.Replay(entries).OrderBy(s => s.Id).Select(JobHistories.Json), rows.Select(r => r.State).OrderBy(s => s.Id).Select(JobHistories.Json));
    }

    [Fact]
    public void A_document_reads_back_as_the_same_state()
    {
        var state = JobProjection.Apply(JobHistories.Entries(12), 0, Nothing).Rows.Select(r => r.State).ToList();
        var full = state[0]
            .Apply(new Launched(4242, T0, 17))
            .Apply(new BootTested(new BootResult(BootStatus.Pass, 2.5, null), T0))
            .Apply(new AttemptFailed(1, "srv-a", new JobFailure(FailureKind.Infrastructure, "preparing", null, "ssh lost"), T0.AddMinutes(1), T0))
            .Apply(new WebhookDone(new WebhookDelivery(0, "https://hooks.example.org/x", true, 1, 200, null, T0)));
        foreach (var s in state.Append(full))
            Assert.Equal(JobHistories.Json(s), JobHistories.Json(JobIndexRow.ReadDocument(JobIndexRow.Of(s.Id, s).Document())));
    }
}
