namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Raises the thread pool's minimum of worker threads. Microsoft.Data.Sqlite has no real async
/// I/O: every journal write and read (an fsync for each commit) holds a pool thread until it is
/// done. With the default minimum (one thread per core: 2 here) those blocked threads starve
/// Kestrel and Akka's dispatchers, and the pool adds threads only about twice a second, so a
/// burst of submissions waited on the pool, not on the disk: over HTTP about 450/s → 1,000–1,200/s
/// (bench scheduler) with this minimum.
/// </summary>
public static class FarmThreadPool
{
    public const int MinWorkerThreads = 32;

    public static void Configure()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < MinWorkerThreads) ThreadPool.SetMinThreads(MinWorkerThreads, io);
    }
}
