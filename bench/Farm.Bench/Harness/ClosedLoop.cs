using System.Diagnostics;

namespace KernelFarm.Bench.Harness;

/// <summary>What a closed-loop load achieved in its measured window.</summary>
public sealed record LoadResult(long Succeeded, long Failed, TimeSpan Window, string? FirstError)
{
    public double PerSecond => Succeeded / Window.TotalSeconds;
}

/// <summary>
/// N workers, each issuing its next operation as soon as the last one completes, for a warm-up
/// (not counted: JIT, connection set-up, shard allocation) and then a measured window.
/// </summary>
public static class ClosedLoop
{
    /// <param name="operation">One operation; true if it succeeded (e.g. a 202), false if it was refused.</param>
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan warmUp, TimeSpan window,
        Func<CancellationToken, Task<bool>> operation, CancellationToken ct)
    {
        long ok = 0, failed = 0;
        string? firstError = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await operation(stop.Token)) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref failed);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
                catch (Exception) { return; } // stopping
            }
        }, CancellationToken.None)).ToList();

        await Task.Delay(warmUp, ct);
        var (ok0, failed0) = (Interlocked.Read(ref ok), Interlocked.Read(ref failed));
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, ct);
        var (ok1, failed1) = (Interlocked.Read(ref ok), Interlocked.Read(ref failed));
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return new LoadResult(ok1 - ok0, failed1 - failed0, elapsed, firstError);
    }
}
