namespace KernelFarm.Messages.Bisections;

/// <summary>
/// How a bisection ended: <c>found</c> (<see cref="FirstBad"/>), <c>ambiguous</c> (only skipped commits
/// were left: the first bad is one of <see cref="Candidates"/>, as git bisect says), <c>ends_wrong</c>
/// (good fails the criterion, bad passes it, or an end cannot be judged), <c>failed</c> (the range
/// could not be listed) or <c>cancelled</c>.
/// </summary>
public sealed record BisectOutcome
{
    public string Result { get; init; } = "";
    public string Message { get; init; } = "";
    public BisectCommit? FirstBad { get; init; }
    public IReadOnlyList<BisectCommit> Candidates { get; init; } = [];
    public IReadOnlyList<string> Excerpt { get; init; } = [];

    public const string Found = "found", Ambiguous = "ambiguous", EndsWrong = "ends_wrong", Failed = "failed", Cancelled = "cancelled";
}
