namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Waits for an effect that follows an observable state by design: a job is reported ended once
/// its artifacts are published, and its workspace is removed right after, over SSH.
/// </summary>
public static class Eventually
{
    public static async Task<bool> GoneAsync(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Directory.Exists(path) || File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(100);
        }
        return true;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}");
            await Task.Delay(200);
        }
    }
}
