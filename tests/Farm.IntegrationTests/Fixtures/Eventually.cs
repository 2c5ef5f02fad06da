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
}
