using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Bisections;

/// <summary>A bisection as its actor knows it: the request, the range once listed, every step and the outcome.</summary>
public sealed record BisectionRecord
{
    public string Id { get; init; } = "";
    public BisectionRequest Request { get; init; } = new();
    public string? SubmittedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The range once listed: index 0 the good commit, the last the bad one. A view carries only <see cref="CommitCount"/>.</summary>
    public IReadOnlyList<BisectCommit> Commits { get; init; } = [];
    /// <summary>How many commits follow the good one up to and including the bad one (null until listed).</summary>
    public int? CommitCount { get; init; }
    public IReadOnlyList<BisectStep> Steps { get; init; } = [];
    public DateTimeOffset? CancelRequestedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public BisectOutcome? Outcome { get; init; }
    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries { get; init; } = [];
}
