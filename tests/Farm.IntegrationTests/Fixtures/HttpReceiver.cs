using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// A small HTTP receiver on 127.0.0.1 for what the farm sends out (the KCIDB push): records every
/// request and answers each with the status <c>answer</c> picks from the requests so far.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, NameValueCollection Headers, string? ContentType, string Body);

    private readonly ConcurrentQueue<Received> _received = new();
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public int Port { get; } = FreePort.Get("127.0.0.1");

    public IReadOnlyList<Received> Requests => _received.ToArray();

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    /// <param name="answer">The status of the answer to the request numbered (from 1) as given.</param>
    public HttpReceiver(Func<int, int> answer)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            var count = 0;
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) { return; } // stopped
                using var reader = new StreamReader(ctx.Request.InputStream);
                _received.Enqueue(new Received(ctx.Request.Url!.AbsolutePath, ctx.Request.Headers, ctx.Request.ContentType, await reader.ReadToEndAsync()));
                ctx.Response.StatusCode = answer(++count);
                ctx.Response.Close();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening) _listener.Stop();
        await _serving;
        _listener.Close();
    }
}
