using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// The read side for listing jobs: one per node, fed by the job events in the journal
/// (Akka.Persistence.Query) into an <see cref="IJobIndexStore"/>, so every node can answer lists
/// without asking every job actor and without holding every job. The store keeps the read-journal
/// offset with the rows, so a start reads only what came after it. A single job is always read from
/// its actor; this index may trail it by the query's refresh interval and a batch.
/// </summary>
public sealed class JobIndexActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    public sealed record Query(JobFilter Filter, int Offset, int Limit);
    public sealed record Page(IReadOnlyList<JobState> Jobs, int Total);
    /// <summary>Whether this index has seen events of the job (it may trail the journal: "no" is not final).</summary>
    public sealed record Knows(string JobId);
    public sealed record CountByStatus
    {
        public static readonly CountByStatus Instance = new();
    }
    public sealed record StatusCounts(IReadOnlyDictionary<JobStatus, int> Counts);
    /// <summary>Completed jobs created since then: how long they ran, per architecture.</summary>
    public sealed record Durations(DateTimeOffset Since);
    public sealed record DurationsByArchitecture(IReadOnlyList<DurationStats.Summary> Architectures);
    /// <summary>Plans newest first (the index's plan rows, <see cref="Plans.PlanProjection"/>).</summary>
    public sealed record ListPlans(int Offset, int Limit);
    public sealed record PlanPage(IReadOnlyList<Messages.Plans.PlanRecord> Plans, int Total);
    /// <summary>The newest completed job with one of these reuse keys (<see cref="Reuse.ReuseKey"/>).</summary>
    public sealed record FindResult(IReadOnlyCollection<string> ReuseKeys);
    public sealed record ResultFound(JobState? Source);

    /// <summary>At most this many events are written in one transaction.</summary>
    public const int MaxBatch = 500;
    /// <summary>How long the first event of a batch waits for more: one write per burst rather than per event.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IJobIndexStore _store;
    private readonly Func<long, Source<EventEnvelope, NotUsed>>? _events;
    private readonly LegacyJobTags? _legacyTags;

    private sealed record Started;
    private sealed record StartFailed(Exception Cause);
    private sealed record Start;
    private static readonly TimeSpan RetryStartAfter = TimeSpan.FromSeconds(2);
    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="events">The journal's events after an offset (job events are kept); the SQL read journal's when null (tests pass their own).</param>
    /// <param name="legacyTags">Removed from the journal before the first read (see <see cref="LegacyJobTags"/>).</param>
    public JobIndexActor(IJobIndexStore store, Func<long, Source<EventEnvelope, NotUsed>>? events = null, LegacyJobTags? legacyTags = null)
    {
        _store = store;
        _events = events;
        _legacyTags = legacyTags;
        Starting();
    }

    /// <summary>Until the store has its tables, questions wait (an ask that outlasts a database that is away times out: 503).</summary>
    private void Starting()
    {
        Receive<Start>(_ => StartAsync().PipeTo(Self, success: _ => new Started(), failure: e => new StartFailed(e)));
        Receive<Started>(_ =>
        {
            Become(Ready);
            Stash.UnstashAll();
            Project();
        });
        Receive<StartFailed>(f =>
        {
            _log.Warning("job index: cannot open its store yet ({0}); retrying in {1}", f.Cause.GetBaseException().Message, RetryStartAfter);
            Timers.StartSingleTimer(nameof(Start), new Start(), RetryStartAfter);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private async Task<long> StartAsync()
    {
        if (_legacyTags is not null)
        {
            var removed = await _legacyTags.RemoveAsync();
            if (removed > 0) _log.Info("job index: removed {0} tags an earlier release wrote (docs/upgrading.md)", removed);
        }
        return await _store.StartAsync();
    }

    private void Ready()
    {
        // Reads run on the store, off the mailbox; several at once.
        Receive<Query>(q => _store.ListAsync(q.Filter, q.Offset, q.Limit).PipeTo(Sender, success: p => new Page(p.Jobs, p.Total)));
        Receive<Knows>(k => _store.KnowsAsync(k.JobId).PipeTo(Sender));
        Receive<CountByStatus>(_ => _store.CountByStatusAsync().PipeTo(Sender, success: c => new StatusCounts(c)));
        Receive<Durations>(d => _store.DurationsAsync(d.Since).PipeTo(Sender, success: a => new DurationsByArchitecture(a)));
        Receive<FindResult>(f => _store.FindResultAsync(f.ReuseKeys).PipeTo(Sender, success: j => new ResultFound(j)));
        Receive<ListPlans>(l => _store.ListPlansAsync(l.Offset, l.Limit).PipeTo(Sender, success: p => new PlanPage(p.Plans, p.Total)));
    }

    protected override void PreStart() => Self.Tell(new Start());

    /// <summary>
    /// Store start, then the events after its offset, batched, each batch applied before the next is
    /// read. Any failure (the read journal not ready on a busy node, the database away) restarts from
    /// the store's offset after a backoff, rather than killing the index; lists answer from the store meanwhile.
    /// </summary>
    private void Project()
    {
        var system = Context.System;
        var log = _log;
        var store = _store;
        // Every event after the offset, the job events kept: Akka.Persistence.Sql's EventsByTag over a
        // tag table asks for everything from the offset to the journal's end for each batch (its
        // query has no limit); AllEvents asks for one batch, and job events carry no tags (LegacyJobTags).
        var events = _events ?? (offset => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .AllEvents(Offset.Sequence(offset)));
        RestartSource.OnFailuresWithBackoff(() =>
                    Source.FromTask(LoggedAsync(store.StartAsync()))
                        .ConcatMany(offset => Logged(() => events(offset)))
                        .Where(env => env.Event is BuildJobEvents.IJobEvent or Messages.Plans.PlanEvents.IPlanEvent)
                        .Select(env => new JournalEntry(((Sequence)env.Offset).Value, env.PersistenceId, env.Event))
                        .GroupedWithin(MaxBatch, BatchWindow)
                        .SelectAsync(1, batch => LoggedAsync(store.ApplyAsync(batch.ToList()))),
                RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2))
            .RunWith(Sink.Ignore<long>(), Context.Materializer());

        // The failure is logged here and rethrown, so the restart above happens.
        T Logged<T>(Func<T> step)
        {
            try { return step(); }
            catch (Exception e) { Warn(e); throw; }
        }
        async Task<T> LoggedAsync<T>(Task<T> step)
        {
            try { return await step; }
            catch (Exception e) { Warn(e); throw; }
        }
        void Warn(Exception e) => log.Warning("job index: projection stopped ({0}); restarting from the stored offset", e.GetBaseException().Message);
    }

    public static Props Props(IJobIndexStore store, Func<long, Source<EventEnvelope, NotUsed>>? events = null, LegacyJobTags? legacyTags = null) =>
        Akka.Actor.Props.Create(() => new JobIndexActor(store, events, legacyTags));
}
