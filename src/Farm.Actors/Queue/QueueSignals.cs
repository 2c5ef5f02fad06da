namespace KernelFarm.Actors.Queue;

/// <summary>The queue's own inputs beside its commands: timers, recovery and a failed placement ask.</summary>
public static class QueueSignals
{
    public sealed record DispatchTick
    {
        public static readonly DispatchTick Instance = new();
    }

    public sealed record RedeliveryTick
    {
        public static readonly RedeliveryTick Instance = new();
    }

    public sealed record PlacementFailed(string Error);

    /// <summary>The journal (and snapshot) is replayed: this incarnation starts its work.</summary>
    public sealed record Recovered
    {
        public static readonly Recovered Instance = new();
    }
}
