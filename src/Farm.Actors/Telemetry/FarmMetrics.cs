using System.Diagnostics.Metrics;

namespace KernelFarm.Actors.Telemetry;

/// <summary>
/// The farm's own instruments (System.Diagnostics.Metrics; the host exports them to Prometheus
/// through OpenTelemetry). Counters and histograms are recorded where things happen, on the node
/// where the job actor runs; gauges are read from the queue and the pool by the host.
/// </summary>
public static class FarmMetrics
{
    public const string MeterName = "KernelFarm";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Seconds spent in each step of a job (preparing, configuring, building, collecting, transferring).</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "kfarm.job.step.duration", "s", "Time a job spent in a step", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
        });

    public static readonly Counter<long> JobsEnded = Meter.CreateCounter<long>("kfarm.jobs.ended", "{job}", "Jobs that reached an end state, by status and failure kind");
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("kfarm.job.retries", "{attempt}", "Attempts ended by an infrastructure failure and retried");
    public static readonly Counter<long> SshFailures = Meter.CreateCounter<long>("kfarm.ssh.failures", "{failure}", "SSH connections or commands that failed, by server");
    public static readonly Counter<long> BootTests = Meter.CreateCounter<long>("kfarm.boot.tests", "{boot}", "Boot tests of built kernels, by result and architecture");
    public static readonly Counter<long> ArtifactBytes = Meter.CreateCounter<long>("kfarm.artifacts.bytes", "By", "Artifact bytes published to central storage");

    /// <summary>Gauge readings the host refreshes from the queue, the pool and the job index.</summary>
    public static void ObserveGauges(Func<long> queueDepth, Func<IEnumerable<Measurement<long>>> jobsByState,
        Func<IEnumerable<Measurement<double>>> slotUtilisation, Func<IEnumerable<Measurement<long>>> cacheBytes)
    {
        Meter.CreateObservableGauge("kfarm.server.cache.size", cacheBytes, "By", "Bytes in each build server's caches (cache: git or ccache), as the last probe found them");
        Meter.CreateObservableGauge("kfarm.queue.depth", queueDepth, "{job}", "Jobs waiting for a slot");
        Meter.CreateObservableGauge("kfarm.jobs", jobsByState, "{job}", "Jobs by state (from this node's job index)");
        Meter.CreateObservableGauge("kfarm.server.slot.utilisation", slotUtilisation, "1", "Slots in use / max concurrent jobs, per build server");
    }
}
