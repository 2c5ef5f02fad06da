using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// A bisection as the API shows it (docs/bisection.md): its state, the outcome once ended (the first bad
/// commit with the log lines that show the criterion), the window of suspects left, the window after
/// each round, and every step with its job, verdict, duration and server.
/// Commits are indexed 0 (good) … <c>commits</c> (bad).
/// </summary>
public sealed record BisectionView
{
    public required string Id { get; init; }
    /// <summary>listing (the range is being listed), checking_ends, bisecting, ended.</summary>
    public required string State { get; init; }
    /// <summary>found, ambiguous, ends_wrong, failed, cancelled; null while it runs.</summary>
    public string? Result { get; init; }
    public string? Message { get; init; }
    public required string SourceRepository { get; init; }
    public required string Branch { get; init; }
    public required string Good { get; init; }
    public required string Bad { get; init; }
    public required string TargetArchitecture { get; init; }
    public string? Toolchain { get; init; }
    public required BuildConfig BuildConfig { get; init; }
    public required BisectCriterion Criterion { get; init; }
    public int? MaxParallel { get; init; }
    public string? SubmittedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public bool CancelRequested { get; init; }
    /// <summary>From acceptance to the end (or to now while it runs).</summary>
    public double DurationS { get; init; }
    /// <summary>The good and bad ends resolved (null until listed).</summary>
    public BisectCommitView? GoodCommit { get; init; }
    public BisectCommitView? BadCommit { get; init; }
    /// <summary>First-parent commits after the good one, the bad one included (null until listed).</summary>
    public int? Commits { get; init; }
    public BisectCommitView? FirstBad { get; init; }
    /// <summary>ambiguous: the commits the first bad one may be (skipped ones and the first known bad).</summary>
    public IReadOnlyList<BisectCommitView> Candidates { get; init; } = [];
    /// <summary>The log lines that show the criterion at the first bad commit (or why the ends are wrong).</summary>
    public IReadOnlyList<string> Excerpt { get; init; } = [];
    /// <summary>The suspects left: the first bad commit is after <c>first</c>-1 … up to <c>last</c> (null until listed).</summary>
    public BisectWindowView? Window { get; init; }
    /// <summary>The window after each round (round 0: the whole range).</summary>
    public IReadOnlyList<BisectRoundView> Rounds { get; init; } = [];
    public int Builds { get; init; }
    public required IReadOnlyList<BisectStepView> Steps { get; init; }
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries { get; init; } = [];
}

public sealed record BisectCommitView(int Index, string Sha, string Author, string Subject);

/// <summary>Suspects <c>first</c> … <c>last</c> (indexes; <c>count</c> of them): the first bad commit is one of them.</summary>
public sealed record BisectWindowView(int First, int Last, int Count);

public sealed record BisectRoundView(int Round, BisectWindowView Window, IReadOnlyList<int> Steps);

public sealed record BisectStepView
{
    public int Step { get; init; }
    public int Round { get; init; }
    /// <summary>list, good, bad, probe.</summary>
    public required string Role { get; init; }
    public int? Index { get; init; }
    public BisectCommitView? Commit { get; init; }
    public required string JobId { get; init; }
    /// <summary>The job's status (queued … completed, failed, cancelled); pending before the queue took it.</summary>
    public required string State { get; init; }
    /// <summary>good, bad, skip, superseded; null until judged.</summary>
    public string? Verdict { get; init; }
    public string? Detail { get; init; }
    public IReadOnlyList<string> Excerpt { get; init; } = [];
    public double? DurationS { get; init; }
    public string? Server { get; init; }
    public bool Reused { get; init; }
}
