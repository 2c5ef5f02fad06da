namespace KernelFarm.Actors.Webhooks;

/// <summary>A delivery the farm will not make (a refused address): recorded as failed at once, never retried.</summary>
public sealed class WebhookRefusedException(string message) : IOException(message);
