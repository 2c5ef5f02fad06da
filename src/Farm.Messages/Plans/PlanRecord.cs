namespace KernelFarm.Messages.Plans;

/// <summary>A plan as its actor knows it: the accepted plan and how far it got (the jobs' states are the jobs').</summary>
public sealed record PlanRecord
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string GitRepo { get; init; } = "";
    public string GitRef { get; init; } = "";
    public string? GitSha { get; init; }
    public string? SubmittedBy { get; init; }
    public IReadOnlyList<PlanBuild> Builds { get; init; } = [];
    /// <summary>Indexes of the builds whose jobs the queue has accepted.</summary>
    public IReadOnlyList<int> Queued { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CancelRequestedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>"pass" or "fail" once ended.</summary>
    public string? Result { get; init; }
    public IReadOnlyList<Jobs.Webhook> Webhooks { get; init; } = [];
    public IReadOnlyList<Jobs.WebhookDelivery> WebhookDeliveries { get; init; } = [];
}
