namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// A plan as the API shows it: the matrix's builds with their states, the counts and the result
/// (<c>pass</c> only when every supported build completed; null while builds run). A build's
/// <c>state</c> is its job's status, or <c>pending</c>, <c>unsupported</c> or <c>cancelled</c>
/// (docs/plans.md).
/// </summary>
public sealed record PlanView
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public required string GitRepo { get; init; }
    public required string GitRef { get; init; }
    public string? GitSha { get; init; }
    public string? SubmittedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public bool CancelRequested { get; init; }
    /// <summary>"running" until every build has ended, then "ended".</summary>
    public required string State { get; init; }
    /// <summary>"pass", "fail", or null while builds run.</summary>
    public string? Result { get; init; }
    public required PlanCounts Counts { get; init; }
    /// <summary>From acceptance to the end (or to now while it runs).</summary>
    public double DurationS { get; init; }
    public required IReadOnlyList<PlanBuildView> Builds { get; init; }
}

public sealed record PlanCounts(int Queued, int Running, int Completed, int Failed, int Cancelled, int Unsupported);

public sealed record PlanBuildView
{
    public int Index { get; init; }
    /// <summary>Where the build is in the plan file (jobs[0].builds[17]).</summary>
    public required string Path { get; init; }
    /// <summary>The plan job (group) the build belongs to.</summary>
    public required string Group { get; init; }
    public required string Name { get; init; }
    public required string TargetArch { get; init; }
    public required string Toolchain { get; init; }
    public required IReadOnlyList<string> Kconfig { get; init; }
    public required string State { get; init; }
    public string? JobId { get; init; }
    /// <summary>Why no server can run it (state unsupported).</summary>
    public string? Unsupported { get; init; }
    /// <summary>Warnings and errors in the build's log (TuxMake's counts); null until its job ended.</summary>
    public int? Warnings { get; init; }
    public int? Errors { get; init; }
    /// <summary>The completed job whose result this build took instead of building (docs/reuse.md).</summary>
    public string? ReusedFrom { get; init; }
}

/// <summary>A page of plans, newest first; <c>next_offset</c> says where the rest starts (null: no more).</summary>
public sealed record PlanPage(int Total, int Offset, int Limit, int? NextOffset, IReadOnlyList<PlanListItem> Plans);

/// <summary>A plan in the list: what it is and how it ended (its builds' states: GET /api/v1/plans/{id}).</summary>
public sealed record PlanListItem
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string GitRepo { get; init; }
    public required string GitRef { get; init; }
    public string? SubmittedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>"running" or "ended".</summary>
    public required string State { get; init; }
    /// <summary>"pass", "fail", or null while builds run.</summary>
    public string? Result { get; init; }
    /// <summary>How many builds the plan has.</summary>
    public int Builds { get; init; }
}
