using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using KernelFarm.Actors.Jobs;
using KernelFarm.Bench.Farm;
using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Bench.Index;

/// <summary>
/// Writes finished jobs' histories into the jobs' journal as their actors write them (the same
/// events, tagged for the job index, one persistence id per job), straight to the journal plugin in
/// batches: 100,000 job actors each persisting their history would measure the actors, not the index.
/// </summary>
internal sealed class JobHistoryWriter : ReceiveActor
{
    /// <summary>Write jobs First to First + Count - 1; answered with Done once the journal has them.</summary>
    public sealed record Write(int First, int Count);

    private IActorRef? _replyTo;

    public JobHistoryWriter()
    {
        var journal = Persistence.Instance.Apply(Context.System).JournalFor(null);
        var writer = Guid.NewGuid().ToString();
        Receive<Write>(jobs =>
        {
            _replyTo = Sender;
            var writes = Enumerable.Range(jobs.First, jobs.Count)
                .Select(i => (IPersistentEnvelope)new AtomicWrite(History(i)
                    .Select((e, n) => (IPersistentRepresentation)new Persistent(e, n + 1, "job-" + JobId(i), "", false, ActorRefs.NoSender, writer))
                    .ToImmutableList()))
                .ToList();
            journal.Tell(new WriteMessages(writes, Self, 1));
        });
        Receive<WriteMessagesSuccessful>(_ => _replyTo?.Tell(Done.Instance));
        Receive<WriteMessagesFailed>(f => _replyTo?.Tell(new Status.Failure(f.Cause)));
        Receive<WriteMessageRejected>(r => _replyTo?.Tell(new Status.Failure(r.Cause)));
        Receive<WriteMessageFailure>(f => _replyTo?.Tell(new Status.Failure(f.Cause)));
        Receive<WriteMessageSuccess>(_ => { });
    }

    /// <summary>Job ids as the farm makes them (lower-case GUIDs), numbered.</summary>
    public static string JobId(int i) => new Guid(i, 0, 0, new byte[8]).ToString();

    /// <summary>Queued, placed, building, completed: a job that went through without a retry.</summary>
    public static IEnumerable<IJobEvent> History(int i)
    {
        var id = JobId(i);
        var created = DateTimeOffset.UtcNow.AddHours(-1).AddMilliseconds(i);
        var server = Simulated.Server(i % 4);
        yield return new Created(id, Simulated.Request, created);
        yield return new Assigned(new Placement(id, server, server.Toolchains[0]), $"/srv/builds/job-{id}", 1, created.AddSeconds(1));
        yield return new StepStarted(JobStatus.Building, created.AddSeconds(20));
        yield return new Completed($"/var/lib/kernelfarm/artifacts/{id}", [new ArtifactEntry("bzImage", 1_048_576, new string('a', 64))], created.AddSeconds(120));
    }
}
