using KernelFarm.Host.Telemetry;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>What the dashboard's charts plot: the answering node's load history, build durations and job counts (every status, zeros included).</summary>
public sealed record FarmStats(
    double IntervalSeconds,
    IReadOnlyList<MetricsSample> History,
    IReadOnlyList<DurationSummary> Durations,
    IReadOnlyDictionary<string, int> JobsByStatus);

/// <summary>Durations of the completed jobs of one architecture since the window's start.</summary>
public sealed record DurationSummary(string Architecture, int Count, double P50Seconds, double P90Seconds, double MaxSeconds);
