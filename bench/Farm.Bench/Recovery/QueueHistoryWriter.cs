using Akka;
using Akka.Actor;
using Akka.Persistence;
using KernelFarm.Actors.Persistence;
using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Bench.Recovery;

/// <summary>
/// Writes a queue history under the queue's persistence id, journal and snapshot store as fast as
/// the journal takes it, keeping snapshots as QueueActor keeps them (the same QueueState, the same
/// <see cref="SnapshotCadence"/>, the same deletes): driving the real queue through 300,000 events
/// would take minutes and measure the submissions, not the recovery.
/// </summary>
internal sealed class QueueHistoryWriter : ReceivePersistentActor
{
    private QueueState _state = QueueState.Empty;
    private int _pending;
    private int _batches;
    private IActorRef? _replyTo;

    public QueueHistoryWriter(int snapshotEvery)
    {
        JournalPluginId = Context.System.Settings.Config.GetString("kfarm.queue-journal-plugin", "");
        SnapshotPluginId = Context.System.Settings.Config.GetString("kfarm.queue-snapshot-plugin", "");
        Command<IReadOnlyList<IQueueEvent>>(events =>
        {
            _replyTo = Sender;
            _batches++;
            PersistAll(events, e =>
            {
                _state = _state.Apply(e);
                if (!SnapshotCadence.Due(LastSequenceNr, snapshotEvery)) return;
                _pending++;
                SaveSnapshot(_state.ToSnapshot());
            });
            DeferAsync(events.Count, _ => { _batches--; AnswerWhenSettled(); });
        });
        Command<SaveSnapshotSuccess>(s =>
        {
            _pending++; // the save is settled; its two deletes are pending
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(SnapshotCadence.Older(s.Metadata));
        });
        Command<DeleteMessagesSuccess>(_ => Settled());
        Command<DeleteSnapshotsSuccess>(_ => Settled());
        Command<SaveSnapshotFailure>(f => throw f.Cause);
        Command<DeleteMessagesFailure>(f => throw f.Cause);
        Command<DeleteSnapshotsFailure>(f => throw f.Cause);
    }

    public override string PersistenceId => "build-queue";

    private void Settled()
    {
        _pending--;
        AnswerWhenSettled();
    }

    private void AnswerWhenSettled()
    {
        if (_batches == 0 && _pending == 0) _replyTo?.Tell(Done.Instance);
    }
}
