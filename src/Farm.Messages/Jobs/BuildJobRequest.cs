namespace KernelFarm.Messages.Jobs;

/// <summary>What a client submits (snake_case JSON as in the seed's curl example).</summary>
public sealed record BuildJobRequest
{
    public string SourceRepository { get; init; } = "";
    public string Branch { get; init; } = "master";
    /// <summary>"HEAD" (the branch tip) or a commit sha.</summary>
    public string CommitHash { get; init; } = "HEAD";
    public string TargetArchitecture { get; init; } = "";
    /// <summary>A toolchain name (gcc-12); null lets the farm choose one the server has for the architecture.</summary>
    public string? Toolchain { get; init; }
    /// <summary>Higher runs first; equal priorities run in submission order.</summary>
    public int Priority { get; init; }
    public BuildConfig BuildConfig { get; init; } = new();
    /// <summary>Called when the job ends; at most a few per job.</summary>
    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];
    /// <summary>Build even when a completed build had the same inputs (README "Result reuse"); its result may still be reused later.</summary>
    public bool NoCache { get; init; }
    /// <summary>Set for a patch series (POST /api/v1/series): the job builds its commit, then each patch on top.</summary>
    public SeriesRequest? Series { get; init; }
    /// <summary>Set by the farm for a bisection's listing step: build nothing, list the range (refused from a client).</summary>
    public RangeListing? ListRange { get; init; }
    /// <summary>The name of the API token that submitted the job: set by the farm, refused from a client.</summary>
    public string? SubmittedBy { get; init; }
}
