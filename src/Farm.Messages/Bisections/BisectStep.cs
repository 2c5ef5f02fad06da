namespace KernelFarm.Messages.Bisections;

public enum StepRole
{
    /// <summary>Resolves good and bad and lists the first-parent range (a job that builds nothing).</summary>
    List,
    Good,
    Bad,
    /// <summary>A commit inside the range.</summary>
    Probe,
}

/// <summary>One job of a bisection: planned (its job id decided) before it is queued, judged once it ended.</summary>
public sealed record BisectStep
{
    public int Number { get; init; }
    public int Round { get; init; }
    public StepRole Role { get; init; }
    /// <summary>The commit's index in the range (null for the listing step).</summary>
    public int? Index { get; init; }
    public string JobId { get; init; } = "";
    /// <summary>The queue accepted the job.</summary>
    public bool Queued { get; init; }
    public Verdict? Verdict { get; init; }
    /// <summary>Why the verdict: "the build failed", "a new warning: …", "fails for another reason: …".</summary>
    public string? Detail { get; init; }
    /// <summary>The log lines that show the criterion (bad steps) or the failure (skips), a few at most.</summary>
    public IReadOnlyList<string> Excerpt { get; init; } = [];
    public double? DurationS { get; init; }
    public string? Server { get; init; }
    /// <summary>The job took an earlier build's result (docs/reuse.md).</summary>
    public bool Reused { get; init; }
}
