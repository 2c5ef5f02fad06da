using KernelFarm.Messages.Bisections;
using static KernelFarm.Messages.Bisections.BisectionEvents;

namespace KernelFarm.Actors.Bisections;

/// <summary>A bisection's state, folded from its events.</summary>
public sealed record BisectionState
{
    public static readonly BisectionState Empty = new();

    public BisectionRecord? Record { get; private init; }

    public bool Exists => Record is not null;
    public bool Cancelled => Record?.CancelRequestedAt is not null;
    public bool Ended => Record?.EndedAt is not null;
    public bool Listed => Record is { Commits.Count: > 0 };

    public BisectionState Apply(IBisectionEvent e) => e switch
    {
        Accepted a => new BisectionState
        {
            Record = new BisectionRecord
            {
                Id = a.BisectionId, Request = a.Request, SubmittedBy = a.SubmittedBy, CreatedAt = a.At, Webhooks = a.Webhooks,
            },
        },
        StepPlanned p => With(Record! with
        {
            Steps = [.. Record.Steps.Where(s => s.Number != p.Number),
                new BisectStep { Number = p.Number, Round = p.Round, Role = p.Role, Index = p.Index, JobId = p.JobId }],
        }),
        StepQueued q => With(Record! with { Steps = Record.Steps.Select(s => s.Number == q.Number ? s with { Queued = true } : s).ToList() }),
        RangeListed l => With(Record! with { Commits = l.Commits, CommitCount = Math.Max(0, l.Commits.Count - 1) }),
        StepJudged j => With(Record! with
        {
            Steps = Record.Steps.Select(s => s.Number == j.Number
                ? s with { Verdict = j.Verdict, Detail = j.Detail, Excerpt = j.Excerpt, DurationS = j.DurationS, Server = j.Server, Reused = j.Reused }
                : s).ToList(),
        }),
        CancelRequested c => With(Record! with { CancelRequestedAt = Record.CancelRequestedAt ?? c.At }),
        Ended d => With(Record! with { EndedAt = Record.EndedAt ?? d.At, Outcome = Record.Outcome ?? d.Outcome }),
        WebhookDone w => With(Record! with { WebhookDeliveries = [.. Record.WebhookDeliveries, w.Delivery] }),
        _ => this,
    };

    private BisectionState With(BisectionRecord record) => this with { Record = record };

    public BisectStep? Step(int number) => Record?.Steps.FirstOrDefault(s => s.Number == number);

    public BisectStep? StepOfJob(string jobId) => Record?.Steps.FirstOrDefault(s => s.JobId == jobId);

    /// <summary>Planned steps the queue has not accepted yet (a restart queues them again under the same key).</summary>
    public IEnumerable<BisectStep> ToQueue() => Record is null ? [] : Record.Steps.Where(s => !s.Queued && s.Verdict is null);

    /// <summary>Queued steps without a verdict: their jobs are watched.</summary>
    public IEnumerable<BisectStep> Running() => Record is null ? [] : Record.Steps.Where(s => s.Queued && s.Verdict is null);

    public int NextStepNumber => Record is null || Record.Steps.Count == 0 ? 0 : Record.Steps.Max(s => s.Number) + 1;

    /// <summary>The webhooks of the ended bisection that were neither delivered nor given up yet.</summary>
    public IEnumerable<int> WebhooksToCall() =>
        Record is not { EndedAt: not null } r ? [] : Enumerable.Range(0, r.Webhooks.Count).Where(i => r.WebhookDeliveries.All(d => d.Index != i));

    /// <summary>The idempotency key of a step's job: a repeat after a crash gets the job the first try made.</summary>
    public static string QueueKey(string bisectionId, int step) => $"kfarm-bisect:{bisectionId}:{step}";
}
