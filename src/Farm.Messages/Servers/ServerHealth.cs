namespace KernelFarm.Messages.Servers;

public enum HealthStatus { Healthy, Unhealthy }

/// <summary>The outcome of the last SSH probe of a server.</summary>
public sealed record ServerHealth(HealthStatus Status, DateTimeOffset CheckedAt, string? Error = null);
