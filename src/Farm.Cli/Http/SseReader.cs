using System.Runtime.CompilerServices;

namespace KernelFarm.Cli.Http;

/// <summary>Reads events from an event stream as they arrive.</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, SseParser parser,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) yield break;
            foreach (var e in parser.Feed(buffer.AsSpan(0, n))) yield return e;
        }
    }
}
