using KernelFarm.Host.Telemetry;
using Xunit;

namespace KernelFarm.Tests.Telemetry;

public sealed class MetricsHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);
    private static MetricsSample At(double seconds, long queueDepth = 0) => new(T0.AddSeconds(seconds), queueDepth, 0, 0, 0);

    [Fact]
    public void The_default_keeps_a_day_of_ten_second_samples()
    {
        var history = new MetricsHistory();
        Assert.Equal(TimeSpan.FromSeconds(10), history.Interval);
        Assert.Equal(8_640, history.Capacity);
    }

    [Fact]
    public void A_sample_less_than_an_interval_after_the_last_kept_one_is_dropped()
    {
        var history = new MetricsHistory(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        Assert.True(history.TryRecord(At(0)));
        Assert.False(history.TryRecord(At(2)));
        Assert.False(history.TryRecord(At(9.9)));
        Assert.True(history.TryRecord(At(10)));
        Assert.False(history.TryRecord(At(18))); // measured from the last kept sample, not the last offered
        Assert.True(history.TryRecord(At(21)));
        Assert.Equal([At(0), At(10), At(21)], history.Since(DateTimeOffset.MinValue));
    }

    [Fact]
    public void A_full_history_drops_its_oldest_samples_and_reads_oldest_first()
    {
        var history = new MetricsHistory(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        Assert.Equal(3, history.Capacity);
        for (var i = 0; i < 5; i++) history.TryRecord(At(i * 10, queueDepth: i));
        Assert.Equal([2L, 3, 4], history.Since(DateTimeOffset.MinValue).Select(s => s.QueueDepth));
    }

    [Fact]
    public void Since_is_inclusive()
    {
        var history = new MetricsHistory(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        foreach (var s in new[] { 0, 10, 20 }) history.TryRecord(At(s));
        Assert.Equal([At(10), At(20)], history.Since(T0.AddSeconds(10)));
        Assert.Empty(history.Since(T0.AddSeconds(21)));
        Assert.Empty(new MetricsHistory().Since(DateTimeOffset.MinValue));
    }

    [Fact]
    public async Task Concurrent_writers_and_readers_see_whole_ordered_histories()
    {
        var history = new MetricsHistory(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));
        var next = -1;
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            // Each writer offers the next second: some offers lose the race and come too early, which is fine.
            for (var i = 0; i < 5_000; i++) history.TryRecord(At(Interlocked.Increment(ref next)));
        }));
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var read = history.Since(DateTimeOffset.MinValue);
                Assert.True(read.Count <= history.Capacity);
                Assert.All(read, s => Assert.NotNull(s));
                for (var j = 1; j < read.Count; j++) Assert.True(read[j].At - read[j - 1].At >= history.Interval);
            }
        }));
        await Task.WhenAll(writers.Concat(readers));
        Assert.Equal(history.Capacity, history.Since(DateTimeOffset.MinValue).Count);
    }
}
