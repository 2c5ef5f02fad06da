namespace KernelFarm.Messages.Bisections;

public interface IWithBisectionId : IFarmMessage
{
    string BisectionId { get; }
}

/// <summary>Messages to one bisection's actor (through the bisection shard region).</summary>
public static class BisectionCommands
{
    public sealed record Accept(BisectionEvents.Accepted Bisection) : IWithBisectionId
    {
        public string BisectionId => Bisection.BisectionId;
    }

    public sealed record Get(string BisectionId) : IWithBisectionId;

    public sealed record Cancel(string BisectionId) : IWithBisectionId;
}

public static class BisectionReplies
{
    /// <summary>The bisection without its range's commit list (<see cref="BisectionRecord.CommitCount"/> says how long it is; the steps name their commits).</summary>
    public sealed record View(BisectionRecord Bisection, IReadOnlyList<BisectCommit> StepCommits) : IFarmMessage;

    public sealed record NotFound(string BisectionId) : IWithBisectionId;
}
