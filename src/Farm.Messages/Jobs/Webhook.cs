namespace KernelFarm.Messages.Jobs;

/// <summary>
/// A callback the farm POSTs to when the job ends (TuxSuite's callbacks): the URL, extra headers
/// (e.g. a receiver's own token; shown as *** in job views) and the end states it wants (default all).
/// </summary>
public sealed record Webhook
{
    public string Url { get; init; } = "";
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>completed, failed, cancelled; empty means all three.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
}

/// <summary>How the delivery of one webhook ended: delivered (a 2xx answer) or given up after its attempts.</summary>
public sealed record WebhookDelivery(int Index, string Url, bool Delivered, int Attempts, int? HttpStatus, string? Error, DateTimeOffset At);
