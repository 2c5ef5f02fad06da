using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Whether a job id names a job, decided without touching the job shards: with remember-entities,
/// merely starting a job's entity writes to the sharding journal, so a GET or cancel of a made-up id
/// would leave rows behind (and a live actor for minutes). Only ids this answers true for go to the
/// shard region.
/// </summary>
/// <remarks>
/// A job exists once the queue has persisted its submission. Until its actor persists Created the queue
/// holds it (waiting or being handed over), and the queue lets go of a job only after Created is in the
/// journal. So: the local job index (fast, may trail); the job's journal; the queue; and the journal
/// once more, for a job handed over between the first two looks. An id that is in none is unknown.
/// </remarks>
public sealed class JobExistence(ActorSystem system, IActorRef index, IActorRef queue, TimeSpan timeout)
{
    private readonly Lazy<SqlReadJournal> _journal = new(() => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier));
    private readonly IMaterializer _materializer = system.Materializer();

    /// <summary>The shape of every id the farm hands out: a lower-case hyphenated GUID.</summary>
    public static bool IsJobId(string? id) => id is { Length: 36 } && Guid.TryParseExact(id, "D", out var g) && g.ToString() == id;

    public async Task<bool> ExistsAsync(string id)
    {
        if (!IsJobId(id)) return false;
        if (await index.Ask<bool>(new JobIndexActor.Knows(id), timeout)) return true;
        if (await InJournalAsync(id)) return true;
        var known = await queue.Ask<QueueReplies.Known>(new QueueCommands.IsKnown(id), timeout);
        return known.Exists || await InJournalAsync(id);
    }

    /// <summary>Reads at most the job's first event (a read: nothing is written).</summary>
    private async Task<bool> InJournalAsync(string id)
    {
        try
        {
            var first = await _journal.Value.CurrentEventsByPersistenceId("job-" + id, 1, 1)
                .Take(1).RunWith(Sink.FirstOrDefault<EventEnvelope>(), _materializer)
                .WaitAsync(timeout);
            return first is not null;
        }
        catch (TimeoutException)
        {   // a busy journal is temporary, as for an ask: the gateway answers 503
            throw new AskTimeoutException($"the journal did not answer within {timeout}");
        }
    }
}
