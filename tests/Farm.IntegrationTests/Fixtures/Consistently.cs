namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// The counterpart of <see cref="Eventually"/>: checks that something does NOT happen for a while
/// ("the waiting job stays queued while its server drains"), where the absence of an event is the
/// behaviour under test. The assertion runs again and again over <c>during</c>, and once at its end.
/// </summary>
public static class Consistently
{
    public static async Task HoldsAsync(Func<Task> assert, TimeSpan during, TimeSpan? every = null)
    {
        var end = DateTime.UtcNow + during;
        while (true)
        {
            await assert();
            if (DateTime.UtcNow >= end) return;
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
