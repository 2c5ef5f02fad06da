using System.Collections.Immutable;
using KernelFarm.Messages.Plans;
using static KernelFarm.Messages.Plans.PlanEvents;

namespace KernelFarm.Actors.Plans;

/// <summary>A plan's state, folded from its events; what is left to queue is decided here.</summary>
public sealed record PlanState
{
    public static readonly PlanState Empty = new();

    public PlanRecord? Record { get; private init; }
    private ImmutableSortedSet<int> QueuedSet { get; init; } = [];

    public bool Exists => Record is not null;

    /// <summary>The state a stored record stands for (the index keeps records, not events).</summary>
    public static PlanState Of(PlanRecord record) => new() { Record = record, QueuedSet = [.. record.Queued] };
    public bool Cancelled => Record?.CancelRequestedAt is not null;
    public bool Ended => Record?.EndedAt is not null;

    public PlanState Apply(IPlanEvent e) => e switch
    {
        Accepted a => new PlanState
        {
            Record = new PlanRecord
            {
                Id = a.PlanId, Name = a.Name, Description = a.Description, GitRepo = a.GitRepo, GitRef = a.GitRef, GitSha = a.GitSha,
                SubmittedBy = a.SubmittedBy, Builds = a.Builds, CreatedAt = a.At, Webhooks = a.Webhooks,
            },
        },
        BuildQueued q => With(QueuedSet.Add(q.Index)),
        CancelRequested c => this with { Record = Record! with { CancelRequestedAt = Record.CancelRequestedAt ?? c.At } },
        Ended d => this with { Record = Record! with { EndedAt = Record.EndedAt ?? d.At, Result = Record.Result ?? d.Result } },
        WebhookDone w => this with { Record = Record! with { WebhookDeliveries = [.. Record.WebhookDeliveries, w.Delivery] } },
        _ => this,
    };

    private PlanState With(ImmutableSortedSet<int> queued) =>
        this with { QueuedSet = queued, Record = Record! with { Queued = queued.ToList() } };

    /// <summary>The next build whose job the queue has not accepted yet; none once the plan is cancelled.</summary>
    public PlanBuild? NextToQueue() =>
        Record is null || Cancelled ? null : Record.Builds.FirstOrDefault(b => b.Request is not null && !QueuedSet.Contains(b.Index));

    /// <summary>The jobs the queue has accepted (the only ones that exist).</summary>
    public IEnumerable<(int Index, string JobId)> QueuedJobs() =>
        Record is null ? [] : Record.Builds.Where(b => b.JobId is not null && QueuedSet.Contains(b.Index)).Select(b => (b.Index, b.JobId!));

    /// <summary>The webhooks of the ended plan that were neither delivered nor given up yet (a restart calls them again).</summary>
    public IEnumerable<int> WebhooksToCall() =>
        Record is not { EndedAt: not null } r ? [] : Enumerable.Range(0, r.Webhooks.Count).Where(i => r.WebhookDeliveries.All(d => d.Index != i));

    /// <summary>The idempotency key of a build's job: a repeat after a crash gets the job the first try made.</summary>
    public static string QueueKey(string planId, int index) => $"kfarm-plan:{planId}:{index}";
}
