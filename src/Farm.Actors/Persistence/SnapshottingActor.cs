using Akka.Event;
using Akka.Persistence;

namespace KernelFarm.Actors.Persistence;

/// <summary>
/// A persistent actor whose recovery stays short: it saves its state every
/// <see cref="FarmSettings.SnapshotEvery"/> events and, once a snapshot is stored, deletes the
/// events and older snapshots it covers (recovery reads the newest snapshot and the events after it).
/// </summary>
public abstract class SnapshottingActor : ReceivePersistentActor
{
    private readonly int _every;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    protected SnapshottingActor(int snapshotEvery)
    {
        _every = snapshotEvery;
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(SnapshotCadence.Older(s.Metadata));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("{0}: snapshot at {1} not saved ({2}); the next one follows in {3} events",
            PersistenceId, f.Metadata.SequenceNr, f.Cause.Message, _every));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("{0}: events up to {1} not deleted: {2}", PersistenceId, f.ToSequenceNr, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("{0}: older snapshots not deleted: {1}", PersistenceId, f.Cause.Message));
    }

    /// <summary>Call after each stored event is applied.</summary>
    protected void SnapshotIfDue(Func<object> snapshot)
    {
        if (SnapshotCadence.Due(LastSequenceNr, _every)) SaveSnapshot(snapshot());
    }
}
