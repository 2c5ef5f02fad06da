namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Sent by a singleton manager or a shard region to the actor it hands over to another node (the
/// termination / hand-off stop message). Unlike PoisonPill it is an ordinary message: it waits
/// behind the persists and stashed commands before it, so nothing accepted is dropped by the hand-over.
/// </summary>
public sealed record HandOff
{
    public static readonly HandOff Instance = new();
}
