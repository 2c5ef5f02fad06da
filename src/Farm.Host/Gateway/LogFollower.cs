using System.Text;
using System.Text.Json;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// Streams a job's central build.log as server-sent events while the build runs: each event holds
/// whole lines and its id is the byte offset just after them, so a client that reconnects with
/// Last-Event-ID resumes exactly there (no gap, no duplicate). Ends with an "end" event carrying
/// the job's final status once the job has ended and the log is read to its end.
/// </summary>
public sealed class LogFollower(ArtifactStore store, Func<CancellationToken, Task<JobRecord?>> currentJob)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);
    private const int MaxChunk = 64 * 1024;

    public async Task RunAsync(HttpResponse response, JobRecord job, long offset, CancellationToken ct)
    {
        ServerSentEvents.Prepare(response);
        await response.Body.FlushAsync(ct);
        var buffer = new byte[MaxChunk];
        var lastStatus = DateTimeOffset.UtcNow;
        var lastWrite = DateTimeOffset.UtcNow;
        var ended = job.Status.IsTerminal();
        while (!ct.IsCancellationRequested)
        {
            var path = store.LogPathFor(job.Id, job.ArtifactDirectory);
            var (text, next) = Read(path, offset, buffer, wholeLinesOnly: !ended);
            if (text.Length > 0)
            {
                offset = next;
                // the event's data lines are the log's lines: the newline that ends the last one is implied
                await Write(response, ServerSentEvents.Format("log", text.EndsWith('\n') ? text[..^1] : text, offset.ToString()), ct);
                lastWrite = DateTimeOffset.UtcNow;
                continue; // there may be more right away
            }
            if (ended)
            {
                var end = JsonSerializer.Serialize(new { status = job.Status.ToString().ToLowerInvariant(), offset });
                await Write(response, ServerSentEvents.Format("end", end, offset.ToString()), ct);
                return;
            }
            if (DateTimeOffset.UtcNow - lastStatus >= StatusEvery)
            {
                lastStatus = DateTimeOffset.UtcNow;
                if (await currentJob(ct) is { } now)
                {
                    job = now;
                    ended = now.Status.IsTerminal(); // one more read: the tail written before the end
                }
            }
            if (DateTimeOffset.UtcNow - lastWrite >= KeepAliveEvery)
            {
                await Write(response, ServerSentEvents.KeepAlive, ct);
                lastWrite = DateTimeOffset.UtcNow;
            }
            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>
    /// The log from offset: whole lines only while the build runs (an event never splits a line or
    /// a UTF-8 sequence), everything once it has ended.
    /// </summary>
    public static (string Text, long Next) Read(string path, long offset, byte[] buffer, bool wholeLinesOnly)
    {
        if (!File.Exists(path)) return ("", offset);
        using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset >= log.Length) return ("", offset);
        log.Seek(offset, SeekOrigin.Begin);
        var n = log.Read(buffer, 0, buffer.Length);
        var take = n;
        if (wholeLinesOnly || n == buffer.Length)
        {
            var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', n - 1);
            if (lastNewline >= 0) take = lastNewline + 1;
            else if (n < buffer.Length) return ("", offset); // a line still being written
        }
        return (Encoding.UTF8.GetString(buffer, 0, take), offset + take);
    }

    private static async Task Write(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }
}
