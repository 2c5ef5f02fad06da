using Akka.Persistence;

namespace KernelFarm.Actors.Persistence;

/// <summary>
/// When a singleton saves a snapshot, and what a saved snapshot lets go: the events it covers and
/// the snapshots before it (recovery reads the newest snapshot and the events after it).
/// </summary>
public static class SnapshotCadence
{
    public static bool Due(long sequenceNr, int every) => every > 0 && sequenceNr > 0 && sequenceNr % every == 0;

    /// <summary>Snapshots older than the one just saved.</summary>
    public static SnapshotSelectionCriteria Older(SnapshotMetadata saved) =>
        new(saved.SequenceNr - 1, saved.Timestamp.AddTicks(-1));
}
