using KernelFarm.Messages.Bisections;
using E = KernelFarm.Messages.Bisections.BisectionEvents;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// The journal shapes of <see cref="BisectionEvents"/> (version 1). Enum values are stored as the
/// words below, never as the domain's member names.
/// </summary>
public static class BisectionEventContracts
{
    private static readonly Dictionary<CriterionKind, string> Kinds = new()
    {
        [CriterionKind.BuildFails] = "build_fails", [CriterionKind.Diagnostic] = "diagnostic",
        [CriterionKind.BootFails] = "boot_fails", [CriterionKind.SizeGrows] = "size_grows",
    };
    private static readonly Dictionary<StepRole, string> Roles = new()
    {
        [StepRole.List] = "list", [StepRole.Good] = "good", [StepRole.Bad] = "bad", [StepRole.Probe] = "probe",
    };
    private static readonly Dictionary<Verdict, string> Verdicts = new()
    {
        [Verdict.Good] = "good", [Verdict.Bad] = "bad", [Verdict.Skip] = "skip", [Verdict.Superseded] = "superseded",
    };

    /// <summary>Every domain value has a stored word (a test checks it).</summary>
    public static bool CoversEveryValue =>
        Enum.GetValues<CriterionKind>().All(Kinds.ContainsKey) && Enum.GetValues<StepRole>().All(Roles.ContainsKey)
        && Enum.GetValues<Verdict>().All(Verdicts.ContainsKey);

    private static T Parse<T>(Dictionary<T, string> table, string word, string what) where T : struct =>
        table.FirstOrDefault(kv => kv.Value == word) is { Value: not null } hit ? hit.Key
        : throw new System.Runtime.Serialization.SerializationException($"unknown {what} '{word}' in the journal");

    public sealed record Criterion
    {
        public string Kind { get; init; } = "build_fails";
        public string? Match { get; init; }
        public long? ThresholdBytes { get; init; }
        public static Criterion From(BisectCriterion c) => new() { Kind = Kinds[c.Kind], Match = c.Match, ThresholdBytes = c.ThresholdBytes };
        public BisectCriterion ToDomain() => new() { Kind = Parse(Kinds, Kind, "criterion"), Match = Match, ThresholdBytes = ThresholdBytes };
    }

    public sealed record Commit
    {
        public int Index { get; init; }
        public string Sha { get; init; } = "";
        public string Author { get; init; } = "";
        public string Subject { get; init; } = "";
        public static Commit From(BisectCommit c) => new() { Index = c.Index, Sha = c.Sha, Author = c.Author, Subject = c.Subject };
        public BisectCommit ToDomain() => new(Index, Sha, Author ?? "", Subject ?? "");
    }

    public sealed record Accepted
    {
        public string BisectionId { get; init; } = "";
        public RequestContract Template { get; init; } = new();
        public string Good { get; init; } = "";
        public string Bad { get; init; } = "";
        public Criterion Criterion { get; init; } = new();
        public int? MaxParallel { get; init; }
        public string? SubmittedBy { get; init; }
        public IReadOnlyList<WebhookContract> Webhooks { get; init; } = [];
        public DateTimeOffset At { get; init; }

        public static Accepted From(E.Accepted e) => new()
        {
            BisectionId = e.BisectionId, Template = RequestContract.From(e.Request.Template), Good = e.Request.Good, Bad = e.Request.Bad,
            Criterion = Criterion.From(e.Request.Criterion), MaxParallel = e.Request.MaxParallel, SubmittedBy = e.SubmittedBy,
            Webhooks = e.Webhooks.Select(WebhookContract.From).ToList(), At = e.At,
        };

        public E.Accepted ToDomain() => new(BisectionId,
            new BisectionRequest
            {
                Template = (Template ?? new()).ToDomain(), Good = Good, Bad = Bad, Criterion = (Criterion ?? new()).ToDomain(), MaxParallel = MaxParallel,
            },
            SubmittedBy, (Webhooks ?? []).Select(w => w.ToDomain()).ToList(), At);
    }

    public sealed record StepPlanned
    {
        public int Number { get; init; }
        public int Round { get; init; }
        public string Role { get; init; } = "probe";
        public int? Index { get; init; }
        public string JobId { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public static StepPlanned From(E.StepPlanned e) => new() { Number = e.Number, Round = e.Round, Role = Roles[e.Role], Index = e.Index, JobId = e.JobId, At = e.At };
        public E.StepPlanned ToDomain() => new(Number, Round, Parse(Roles, Role, "step role"), Index, JobId, At);
    }

    public sealed record StepQueued
    {
        public int Number { get; init; }
        public DateTimeOffset At { get; init; }
        public static StepQueued From(E.StepQueued e) => new() { Number = e.Number, At = e.At };
        public E.StepQueued ToDomain() => new(Number, At);
    }

    public sealed record RangeListed
    {
        public IReadOnlyList<Commit> Commits { get; init; } = [];
        public DateTimeOffset At { get; init; }
        public static RangeListed From(E.RangeListed e) => new() { Commits = e.Commits.Select(Commit.From).ToList(), At = e.At };
        public E.RangeListed ToDomain() => new((Commits ?? []).Select(c => c.ToDomain()).ToList(), At);
    }

    public sealed record StepJudged
    {
        public int Number { get; init; }
        public string Verdict { get; init; } = "skip";
        public string Detail { get; init; } = "";
        public IReadOnlyList<string> Excerpt { get; init; } = [];
        public double? DurationS { get; init; }
        public string? Server { get; init; }
        public bool Reused { get; init; }
        public DateTimeOffset At { get; init; }
        public static StepJudged From(E.StepJudged e) => new()
        {
            Number = e.Number, Verdict = Verdicts[e.Verdict], Detail = e.Detail, Excerpt = e.Excerpt, DurationS = e.DurationS, Server = e.Server,
            Reused = e.Reused, At = e.At,
        };
        public E.StepJudged ToDomain() => new(Number, Parse(Verdicts, Verdict, "verdict"), Detail ?? "", Excerpt ?? [], DurationS, Server, Reused, At);
    }

    public sealed record CancelRequested
    {
        public DateTimeOffset At { get; init; }
        public static CancelRequested From(E.CancelRequested e) => new() { At = e.At };
        public E.CancelRequested ToDomain() => new(At);
    }

    public sealed record Ended
    {
        public string Result { get; init; } = "";
        public string Message { get; init; } = "";
        public Commit? FirstBad { get; init; }
        public IReadOnlyList<Commit> Candidates { get; init; } = [];
        public IReadOnlyList<string> Excerpt { get; init; } = [];
        public DateTimeOffset At { get; init; }
        public static Ended From(E.Ended e) => new()
        {
            Result = e.Outcome.Result, Message = e.Outcome.Message, FirstBad = e.Outcome.FirstBad is { } f ? Commit.From(f) : null,
            Candidates = e.Outcome.Candidates.Select(Commit.From).ToList(), Excerpt = e.Outcome.Excerpt, At = e.At,
        };
        public E.Ended ToDomain() => new(new BisectOutcome
        {
            Result = Result, Message = Message ?? "", FirstBad = FirstBad?.ToDomain(), Candidates = (Candidates ?? []).Select(c => c.ToDomain()).ToList(),
            Excerpt = Excerpt ?? [],
        }, At);
    }

    public sealed record WebhookDone
    {
        public WebhookDeliveryContract Delivery { get; init; } = new();
        public static WebhookDone From(E.WebhookDone e) => new() { Delivery = WebhookDeliveryContract.From(e.Delivery) };
        public E.WebhookDone ToDomain() => new((Delivery ?? new()).ToDomain());
    }
}
