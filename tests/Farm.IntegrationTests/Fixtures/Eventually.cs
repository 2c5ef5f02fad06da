namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Waits for an effect that follows an observable state by design: a job is reported ended once
/// its artifacts are published, and its workspace is removed right after, over SSH. Every wait in
/// the tests goes through here: it waits for a condition, never for a time, so a loaded machine
/// only makes a test slower. (Linked into Farm.Tests as well.)
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(200);

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
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}");
            await Task.Delay(every ?? DefaultEvery);
        }
    }

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?)"/>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? every = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what, every);

    /// <summary>
    /// Reads <paramref name="read"/> until <paramref name="until"/> holds for what it returned, and
    /// returns that; fails naming <paramref name="what"/> and the last value after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (until(value)) return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}; last: {Describe(value)}");
            await Task.Delay(every ?? DefaultEvery);
        }
    }

    /// <summary>The synchronous form, for tests that wait on local processes.</summary>
    public static void True(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}");
            Thread.Sleep(every ?? TimeSpan.FromMilliseconds(20));
        }
    }

    private static string Describe<T>(T value)
    {
        var text = value?.ToString() ?? "null";
        return text.Length <= 2000 ? text : text[..2000] + "…";
    }
}
