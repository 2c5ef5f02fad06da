namespace KernelFarm.Actors.Queue;

/// <summary>Waiting jobs ordered by priority (high first), then submission order.</summary>
public readonly record struct QueueKey(int Priority, long Sequence, string JobId) : IComparable<QueueKey>
{
    public int CompareTo(QueueKey other)
    {
        var p = other.Priority.CompareTo(Priority);
        return p != 0 ? p : Sequence.CompareTo(other.Sequence);
    }
}
