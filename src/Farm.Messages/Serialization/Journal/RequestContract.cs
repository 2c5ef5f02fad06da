using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// A submitted job as the journal keeps it (inside job_created, job_queued, job_requeued): the
/// HTTP record <see cref="BuildJobRequest"/> may change, this shape only grows. Defaults are the
/// values a missing field had when it did not exist yet.
/// </summary>
public sealed record RequestContract
{
    public string SourceRepository { get; init; } = "";
    public string Branch { get; init; } = "master";
    public string CommitHash { get; init; } = "HEAD";
    public string TargetArchitecture { get; init; } = "";
    public string? Toolchain { get; init; }
    public int Priority { get; init; }
    public BuildConfigContract BuildConfig { get; init; } = new();
    public IReadOnlyList<WebhookContract>? Webhooks { get; init; }
    public string? SubmittedBy { get; init; }
    /// <summary>Added with result reuse (false before).</summary>
    public bool NoCache { get; init; }
    /// <summary>Added with patch series (null before: a single build).</summary>
    public SeriesContract? Series { get; init; }
    /// <summary>Added with bisection (null before: a build).</summary>
    public RangeListingContract? ListRange { get; init; }

    public static RequestContract From(BuildJobRequest r) => new()
    {
        SourceRepository = r.SourceRepository,
        Branch = r.Branch,
        CommitHash = r.CommitHash,
        TargetArchitecture = r.TargetArchitecture,
        Toolchain = r.Toolchain,
        Priority = r.Priority,
        BuildConfig = BuildConfigContract.From(r.BuildConfig),
        Webhooks = r.Webhooks.Select(WebhookContract.From).ToList(),
        SubmittedBy = r.SubmittedBy,
        NoCache = r.NoCache,
        Series = r.Series is { } series ? SeriesContract.From(series) : null,
        ListRange = r.ListRange is { } l ? new RangeListingContract { Good = l.Good, Bad = l.Bad, MaxCommits = l.MaxCommits } : null,
    };

    public BuildJobRequest ToDomain() => new()
    {
        SourceRepository = SourceRepository,
        Branch = Branch,
        CommitHash = CommitHash,
        TargetArchitecture = TargetArchitecture,
        Toolchain = Toolchain,
        Priority = Priority,
        BuildConfig = (BuildConfig ?? new()).ToDomain(),
        Webhooks = (Webhooks ?? []).Select(w => w.ToDomain()).ToList(),
        SubmittedBy = SubmittedBy,
        NoCache = NoCache,
        Series = Series?.ToDomain(),
        ListRange = ListRange is { } l ? new RangeListing { Good = l.Good, Bad = l.Bad, MaxCommits = l.MaxCommits } : null,
    };
}

public sealed record SeriesContract
{
    public string? Mbox { get; init; }
    public string? Range { get; init; }
    public bool ContinueOnFailure { get; init; }
    public bool StepArtifacts { get; init; }

    public static SeriesContract From(SeriesRequest s) => new() { Mbox = s.Mbox, Range = s.Range, ContinueOnFailure = s.ContinueOnFailure, StepArtifacts = s.StepArtifacts };

    public SeriesRequest ToDomain() => new() { Mbox = Mbox, Range = Range, ContinueOnFailure = ContinueOnFailure, StepArtifacts = StepArtifacts };
}

public sealed record RangeListingContract
{
    public string Good { get; init; } = "";
    public string Bad { get; init; } = "";
    public int MaxCommits { get; init; } = 10_000;
}

public sealed record WebhookContract
{
    public string Url { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public IReadOnlyList<string>? Events { get; init; }

    public static WebhookContract From(Webhook w) => new() { Url = w.Url, Headers = w.Headers, Events = w.Events };

    public Webhook ToDomain() => new() { Url = Url, Headers = Headers ?? new Dictionary<string, string>(), Events = Events ?? [] };
}
