using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// The read side for listing jobs: one per node, fed by the journal's tagged job events
/// (Akka.Persistence.Query), so every node can answer lists without asking every job actor.
/// A single job is always read from its actor; this index may trail it by the query's refresh interval.
/// </summary>
public sealed class JobIndexActor : ReceiveActor, IWithTimers
{
    private sealed record Connect;
    private static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(2);
    public ITimerScheduler Timers { get; set; } = null!;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public const string Tag = "job";

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

    private readonly Dictionary<string, JobState> _jobs = new();

    public JobIndexActor()
    {
        Receive<EventEnvelope>(env =>
        {
            if (env.Event is not IJobEvent e || !env.PersistenceId.StartsWith("job-", StringComparison.Ordinal)) return;
            var id = env.PersistenceId[4..];
            _jobs[id] = _jobs.GetValueOrDefault(id, JobState.Empty).Apply(e);
        });
        Receive<Connect>(_ =>
        {
            try { StartQuery(); }
            catch (Exception e)
            {
                _log.Warning("job index: cannot open the journal's read side yet ({0}); retrying in {1}", e.GetBaseException().Message, ReconnectAfter);
                Timers.StartSingleTimer("connect", new Connect(), ReconnectAfter);
            }
        });
        Receive<Knows>(k => Sender.Tell(_jobs.TryGetValue(k.JobId, out var j) && j.Exists));
        Receive<CountByStatus>(_ => Sender.Tell(new StatusCounts(
            _jobs.Values.Where(j => j.Exists).GroupBy(j => j.Status).ToDictionary(g => g.Key, g => g.Count()))));
        Receive<Durations>(d => Sender.Tell(new DurationsByArchitecture(DurationStats.ByArchitecture(_jobs.Values, d.Since))));
        Receive<Query>(q =>
        {
            var matching = _jobs.Values.Where(q.Filter.Matches)
                .OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();
            Sender.Tell(new Page(matching.Skip(q.Offset).Take(q.Limit).ToList(), matching.Count));
        });
    }

    // The read journal's creation asks the journal and can time out on a busy node: retry rather
    // than die (a dead index would fail every list until the node restarts); lists answer from
    // what is known meanwhile.
    protected override void PreStart() => Self.Tell(new Connect());

    private void StartQuery()
    {
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var self = Self;
        Offset offset = Offset.NoOffset();
        // Restart the query from the last offset seen if the database hiccups; the stream dies with the actor.
        RestartSource.WithBackoff(() => journal.EventsByTag(Tag, offset).Select(env => { offset = env.Offset; return env; }),
                RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2))
            .RunForeach(env => self.Tell(env), Context.Materializer());
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new JobIndexActor());
}
