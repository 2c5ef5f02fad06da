namespace KernelFarm.Host.Telemetry;

/// <summary>
/// The last day of <see cref="MetricsSample"/>s, one per interval, in a fixed-size ring: the oldest
/// is dropped when it is full. Thread-safe (the gauge refresher writes, requests read).
/// It is this node's own history, in memory only: it starts empty when the process starts, and
/// nodes do not share it (Prometheus is the place for durable history).
/// </summary>
public sealed class MetricsHistory
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);

    private readonly Lock _lock = new();
    private readonly MetricsSample[] _ring;
    private int _next; // where the next sample goes
    private int _count;

    public MetricsHistory() : this(DefaultInterval, DefaultRetention) { }

    public MetricsHistory(TimeSpan interval, TimeSpan retention)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "must be positive");
        if (retention < interval) throw new ArgumentOutOfRangeException(nameof(retention), "must hold at least one interval");
        Interval = interval;
        _ring = new MetricsSample[(int)(retention / interval)];
    }

    public TimeSpan Interval { get; }
    public int Capacity => _ring.Length;

    /// <summary>Keeps the sample unless the last one kept is less than an interval older; true if kept.</summary>
    public bool TryRecord(MetricsSample sample)
    {
        lock (_lock)
        {
            if (_count > 0 && sample.At - _ring[(_next - 1 + _ring.Length) % _ring.Length].At < Interval) return false;
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            return true;
        }
    }

    /// <summary>The samples taken at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<MetricsSample> Since(DateTimeOffset since)
    {
        lock (_lock)
        {
            var samples = new List<MetricsSample>(_count);
            for (var i = 0; i < _count; i++)
            {
                var s = _ring[(_next - _count + i + _ring.Length) % _ring.Length];
                if (s.At >= since) samples.Add(s);
            }
            return samples;
        }
    }
}
