using System.Net;
using System.Text;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Browser;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 for browser tests that need no farm: fixed paths map to
/// (content type, body), or to a handler that sees the query; anything else is a 404.
/// </summary>
public sealed class StaticSite : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, Func<HttpListenerRequest, (string ContentType, string Body)>> _routes;
    private readonly Task _loop;

    private StaticSite(HttpListener listener, int port, Dictionary<string, Func<HttpListenerRequest, (string, string)>> routes)
    {
        _listener = listener;
        _routes = routes;
        BaseUrl = $"http://127.0.0.1:{port}/";
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public string BaseUrl { get; }

    /// <summary>Every path requested, in order (the browser's own favicon request included).</summary>
    public List<string> Requests { get; } = [];

    public static StaticSite Start(IReadOnlyDictionary<string, Func<HttpListenerRequest, (string ContentType, string Body)>> routes)
    {
        // HttpListener cannot bind port 0: take a free port, and another if someone took it first.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Get("127.0.0.1");
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new StaticSite(listener, port, new(routes));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public static Func<HttpListenerRequest, (string, string)> Fixed(string contentType, string body) => _ => (contentType, body);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            var path = context.Request.Url!.AbsolutePath;
            lock (Requests) Requests.Add(path);
            var response = context.Response;
            try
            {
                var (status, (type, body)) = _routes.TryGetValue(path, out var route)
                    ? (200, route(context.Request))
                    : (404, ("text/plain; charset=utf-8", "not found\n"));
                var bytes = Encoding.UTF8.GetBytes(body);
                response.StatusCode = status;
                response.ContentType = type;
                response.Headers["Cache-Control"] = "no-store";
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // the browser went away
            }
            finally
            {
                response.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
