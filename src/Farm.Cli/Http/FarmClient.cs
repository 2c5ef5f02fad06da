using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Config;

namespace KernelFarm.Cli.Http;

/// <summary>
/// The farm's HTTP API: sends the bearer token when one is configured, turns error answers into
/// <see cref="FarmApiException"/> (exit code by status, problem+json message) and connection
/// failures into exit code 6. Never puts the token into a message.
/// </summary>
public sealed class FarmClient : IDisposable
{
    private readonly HttpClient _http;

    public Uri Endpoint { get; }

    public FarmClient(CliConfig config, HttpMessageHandler? handler = null)
    {
        Endpoint = config.Endpoint;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = config.Endpoint;
        // streams (log -f, cluster tail, downloads) run as long as they need; each call bounds itself
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("kfarm", "1"));
        if (config.Token is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.Token);
    }

    /// <summary>Bound for a plain request/answer call (registration probes a server over SSH first).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    public Task<ApiResponse> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, null, ct);

    public Task<ApiResponse> PostAsync(string path, JsonNode? body, CancellationToken ct,
        IReadOnlyDictionary<string, string>? headers = null) => SendAsync(HttpMethod.Post, path, body, headers, ct);

    public Task<ApiResponse> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, null, ct);

    /// <summary>A body sent as given (a plan file as written, in its own media type).</summary>
    public Task<ApiResponse> PostContentAsync(string path, HttpContent content, CancellationToken ct) =>
        SendContentAsync(HttpMethod.Post, path, content, null, ct);

    public Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body,
        IReadOnlyDictionary<string, string>? headers, CancellationToken ct) =>
        SendContentAsync(method, path, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), headers, ct);

    private async Task<ApiResponse> SendContentAsync(HttpMethod method, string path, HttpContent? content,
        IReadOnlyDictionary<string, string>? headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Content = content;
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw Error(response, text);
        return new ApiResponse((int)response.StatusCode, text);
    }

    /// <summary>A body as bytes (the log by byte offset).</summary>
    public async Task<byte[]> GetBytesAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, ct);
        if (!response.IsSuccessStatusCode) throw Error(response, await response.Content.ReadAsStringAsync(ct));
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>
    /// A request whose body is read as a stream (server-sent events, downloads). The caller disposes
    /// the answer; an error status is thrown as <see cref="FarmApiException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, ct, ct);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw Error(response, text);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion,
        CancellationToken token, CancellationToken caller)
    {
        try
        {
            return await _http.SendAsync(request, completion, token);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e.InnerException?.Message ?? e.Message);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw Unreachable($"no answer within {RequestTimeout.TotalSeconds:0} s");
        }
    }

    public CliException Unreachable(string why) => new(ExitCodes.Unavailable, $"cannot reach the farm at {Endpoint}: {why}");

    private static FarmApiException Error(HttpResponseMessage response, string body) =>
        new((int)response.StatusCode, ProblemMessage.Describe((int)response.StatusCode, body));

    public void Dispose() => _http.Dispose();
}
