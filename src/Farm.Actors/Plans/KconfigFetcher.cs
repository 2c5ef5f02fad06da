using System.Net;
using System.Text;

namespace KernelFarm.Actors.Plans;

/// <summary>A kconfig URL's lines as fetched at submission, or why it could not be used.</summary>
public sealed record FetchedKconfig(IReadOnlyList<string>? Lines, string? Error);

/// <summary>
/// Fetches a plan's <c>kconfig</c> URLs once per submission, only those <see cref="KconfigUrlRule"/> allows:
/// no redirect followed (it could lead anywhere), at most <see cref="KconfigFragmentText.MaxBytes"/> read,
/// a short time limit, a few at a time. Every outcome is kept: an error makes that build unsupported with it.
/// </summary>
public sealed class KconfigFetcher(HttpClient http, IReadOnlyList<string> prefixes)
{
    public const int MaxUrlsPerPlan = 50;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static HttpClient NewClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = Timeout })
    {
        Timeout = Timeout,
        MaxResponseContentBufferSize = KconfigFragmentText.MaxBytes + 1,
    };

    public async Task<IReadOnlyDictionary<string, FetchedKconfig>> FetchAsync(IEnumerable<string> urls, CancellationToken ct)
    {
        var distinct = urls.Distinct(StringComparer.Ordinal).ToList();
        var results = new Dictionary<string, FetchedKconfig>(StringComparer.Ordinal);
        foreach (var url in distinct.Skip(MaxUrlsPerPlan)) results[url] = new(null, $"a plan may name at most {MaxUrlsPerPlan} kconfig URLs");
        var allowed = new List<string>();
        foreach (var url in distinct.Take(MaxUrlsPerPlan))
        {
            if (KconfigUrlRule.Refusal(url, prefixes) is { } why) results[url] = new(null, why);
            else allowed.Add(url);
        }
        using var gate = new SemaphoreSlim(4);
        var fetched = await Task.WhenAll(allowed.Select(async url =>
        {
            await gate.WaitAsync(ct);
            try { return (url, await FetchOneAsync(url, ct)); }
            finally { gate.Release(); }
        }));
        foreach (var (url, result) in fetched) results[url] = result;
        return results;
    }

    private async Task<FetchedKconfig> FetchOneAsync(string url, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode != HttpStatusCode.OK) return new(null, $"could not be fetched: HTTP {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[KconfigFragmentText.MaxBytes + 1];
            var read = 0;
            while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
            if (read > KconfigFragmentText.MaxBytes) return new(null, $"is larger than {KconfigFragmentText.MaxBytes / 1024} KiB");
            var (lines, error) = KconfigFragmentText.Parse(Encoding.UTF8.GetString(buffer, 0, read));
            return new(lines, error);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new(null, $"could not be fetched: {e.GetBaseException().Message}");
        }
    }
}
