using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// POST /api/v1/series (docs/series.md): a job's fields (the base is source_repository, branch and
/// commit_hash) and the patches, as an mbox or as a range BASE..HEAD of the repository.
/// </summary>
public sealed record SeriesSubmission
{
    public string SourceRepository { get; init; } = "";
    public string Branch { get; init; } = "master";
    /// <summary>The base: HEAD (the branch tip) or a commit; for a range, its BASE (the default).</summary>
    public string? CommitHash { get; init; }
    public string TargetArchitecture { get; init; } = "";
    public string? Toolchain { get; init; }
    public int Priority { get; init; }
    public BuildConfig BuildConfig { get; init; } = new();
    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];
    /// <summary>The patches as git format-patch --stdout or b4 am write them (at most 512 KiB).</summary>
    public string? Mbox { get; init; }
    /// <summary>"BASE..HEAD" with two full commit ids; HEAD must be reachable from branch's remote.</summary>
    public string? Range { get; init; }
    /// <summary>Build the next patch after one that failed to build; otherwise the rest are skipped.</summary>
    public bool ContinueOnFailure { get; init; }
    /// <summary>Keep every built step's artifacts (series/NNN/artifacts/), not only the last step's.</summary>
    public bool StepArtifacts { get; init; }

    public BuildJobRequest ToJobRequest()
    {
        var range = string.IsNullOrEmpty(Range) ? null : Range;
        var rangeBase = range?.Split("..")[0];
        return new BuildJobRequest
        {
            SourceRepository = SourceRepository,
            Branch = Branch,
            CommitHash = CommitHash ?? rangeBase ?? "HEAD",
            TargetArchitecture = TargetArchitecture,
            Toolchain = Toolchain,
            Priority = Priority,
            // A range's patches come from the history: the mirror needs all of it.
            BuildConfig = range is not null && BuildConfig is { GitDepth: 1 } ? BuildConfig with { GitDepth = 0 } : BuildConfig,
            Webhooks = Webhooks,
            NoCache = true,
            Series = new SeriesRequest { Mbox = string.IsNullOrEmpty(Mbox) ? null : Mbox, Range = range, ContinueOnFailure = ContinueOnFailure, StepArtifacts = StepArtifacts },
        };
    }
}
