using KernelFarm.Messages.Queue;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// What a command comes to: the events to store, the session that follows at once, and the effects to
/// carry out once every event is stored (at once when there are none). Batched events are stored
/// without holding back the commands behind them (PersistAsync): submissions and hand-overs.
/// </summary>
public sealed record QueueDecision(IReadOnlyList<IQueueEvent> Events, QueueSession Session, IReadOnlyList<QueueEffect> Effects, bool Batched = false)
{
    public static QueueDecision Nothing(QueueSession session) => new([], session, []);

    public static QueueDecision Only(QueueSession session, params QueueEffect[] effects) => new([], session, effects);
}

/// <summary>Limits the decisions read from the node's settings.</summary>
public sealed record QueuePolicy(int MaxQueueSize, TimeSpan RedeliveryInterval)
{
    public static QueuePolicy From(FarmSettings s) => new(s.MaxQueueSize, s.RedeliveryInterval);
}
