using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// POST /api/v1/bisections (docs/bisection.md): the build fields of a job (every step builds them at
/// one commit), the good and bad ends, the criterion and how many builds may run at once.
/// </summary>
public sealed record BisectionSubmission
{
    public string SourceRepository { get; init; } = "";
    /// <summary>The branch fetched into the server's mirror (the ends must be reachable from the repository).</summary>
    public string Branch { get; init; } = "master";
    /// <summary>A commit id (7 to 40 hex digits) or a ref (branch, tag) that passes the criterion.</summary>
    public string? Good { get; init; }
    /// <summary>A commit id or ref that fails it; good must be its ancestor.</summary>
    public string? Bad { get; init; }
    public string TargetArchitecture { get; init; } = "";
    /// <summary>Required: every step must build with the same compiler.</summary>
    public string? Toolchain { get; init; }
    public int Priority { get; init; }
    public BuildConfig BuildConfig { get; init; } = new();
    public BisectCriterion? Criterion { get; init; }
    /// <summary>Builds at once (1 to 64); null: the free slots of the servers that build the architecture, at each round.</summary>
    public int? MaxParallel { get; init; }
    /// <summary>Called once when the bisection ends.</summary>
    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];
    /// <summary>Build every step even when an earlier build of the same commit and inputs completed (docs/reuse.md).</summary>
    public bool NoCache { get; init; }

    /// <summary>The job every step builds (its commit set per step); the mirror needs all of the history.</summary>
    public BuildJobRequest Template() => new()
    {
        SourceRepository = SourceRepository,
        Branch = Branch,
        CommitHash = "HEAD",
        TargetArchitecture = TargetArchitecture,
        Toolchain = Toolchain,
        Priority = Priority,
        BuildConfig = (BuildConfig ?? new()) with { GitDepth = 0 },
        NoCache = NoCache,
    };
}
