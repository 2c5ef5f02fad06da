using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.Servers;

/// <summary>
/// Samples the 1-minute load average every 2 s while a measurement runs: the machine is shared, and a
/// wall-clock comparison of two builds means little if one ran on a busy machine and the other did not.
/// </summary>
public sealed class LoadSampler : IDisposable
{
    private readonly List<double> _samples = [];
    private readonly Timer _timer;

    public LoadSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(2));

    private void Sample()
    {
        var load = MachineFacts.LoadAverage();
        if (load.Length == 0) return;
        lock (_samples) _samples.Add(load[0]);
    }

    /// <summary>The mean of the samples so far (NaN without any).</summary>
    public double Mean
    {
        get { lock (_samples) return _samples.Count == 0 ? double.NaN : _samples.Average(); }
    }

    public void Dispose() => _timer.Dispose();
}
