using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// Helpers for <see cref="HostileInputTests"/>: canary files, placeholder expansion, raw HTTP
/// (no URL canonicalisation, so "../" reaches the server as typed) and problem+json assertions.
/// </summary>
public static partial class Hostile
{
    /// <summary>
    /// A unique marker path under /tmp. A hostile payload tries to create it; the build servers are
    /// loopback sshd's on this very machine, so anything a build executes would show up here.
    /// </summary>
    public sealed class Canary
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public string Path => "/tmp/kfarm-canary-" + Id;

        /// <summary>Entries directly in /tmp whose name carries this canary's id.</summary>
        public IReadOnlyList<string> InTmp() =>
            Directory.EnumerateFileSystemEntries("/tmp").Where(e => e.Contains(Id, StringComparison.Ordinal)).ToList();

        /// <summary>Entries anywhere under /tmp (recursively) whose name carries this canary's id.</summary>
        public IReadOnlyList<string> AnywhereUnderTmp()
        {
            var options = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
                ReturnSpecialDirectories = false,
            };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return Directory.EnumerateFileSystemEntries("/tmp", "*", options)
                        .Where(e => System.IO.Path.GetFileName(e).Contains(Id, StringComparison.Ordinal)).ToList();
                }
                catch (IOException) when (attempt < 3)
                {
                    // other test runs create and delete trees under /tmp concurrently: scan again
                }
            }
        }

        /// <summary>Removes whatever a (buggy) build created, so a failure does not litter /tmp.</summary>
        public void CleanUp()
        {
            foreach (var e in InTmp())
            {
                try
                {
                    if (Directory.Exists(e)) Directory.Delete(e, recursive: true);
                    else File.Delete(e);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        public void AssertAbsent(string because)
        {
            var found = InTmp();
            Assert.True(found.Count == 0, $"canary created ({because}): {string.Join(", ", found)}");
        }
    }

    /// <summary>
    /// Expands the placeholders of a payload template: {canary} (the canary path), {LF}, {CR}, {NUL}, {TAB},
    /// {storage} (the farm's artifact storage path) and {ws} (the x86 server's workspace root).
    /// Control characters are placeholders so that theory names stay printable.
    /// </summary>
    public static string Expand(string template, Canary canary, FarmWithServers env) => template
        .Replace("{canary}", canary.Path, StringComparison.Ordinal)
        .Replace("{storage}", env.Farm.StoragePath, StringComparison.Ordinal)
        .Replace("{ws}", env.X86.WorkDirectory, StringComparison.Ordinal)
        .Replace("{LF}", "\n", StringComparison.Ordinal)
        .Replace("{CR}", "\r", StringComparison.Ordinal)
        .Replace("{NUL}", "\0", StringComparison.Ordinal)
        .Replace("{TAB}", "\t", StringComparison.Ordinal)
        .Replace("{LONG}", new string('a', 4097), StringComparison.Ordinal);

    /// <summary>
    /// Sets a value at a dotted snake_case path such as <c>build_config.extra_make_args[0]</c> or
    /// <c>toolchains[0].cross_compile</c>, creating objects and arrays on the way; an array index
    /// replaces that element (the array is created or padded as needed).
    /// </summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        JsonNode current = root;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var m = SegmentRegex().Match(segments[i]);
            if (!m.Success) throw new ArgumentException($"bad path segment {segments[i]}", nameof(path));
            var name = m.Groups["name"].Value;
            var last = i == segments.Length - 1;
            var obj = current.AsObject();
            if (!m.Groups["index"].Success)
            {
                if (last) { obj[name] = value; return; }
                if (obj[name] is not JsonObject child) obj[name] = child = [];
                current = child;
                continue;
            }

            var index = int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (obj[name] is not JsonArray array) obj[name] = array = [];
            while (array.Count <= index) array.Add(last ? (JsonNode?)JsonValue.Create("") : new JsonObject());
            if (last) { array[index] = value; return; }
            current = array[index]!;
        }
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z_]+)(?:\[(?<index>[0-9]+)\])?\z")]
    private static partial Regex SegmentRegex();

    // ---------------------------------------------------------------- HTTP

    /// <summary>One raw HTTP exchange: status, media type and body text.</summary>
    public sealed record Answer(HttpStatusCode Status, string? MediaType, string Text)
    {
        public JsonObject? Json
        {
            get
            {
                try { return JsonNode.Parse(Text) as JsonObject; }
                catch (System.Text.Json.JsonException) { return null; }
            }
        }

        public override string ToString() => $"{(int)Status} {MediaType}: {Text}";
    }

    /// <summary>Sends a request whose path is used exactly as given (no dot-segment removal, no unescaping).</summary>
    public static async Task<Answer> SendAsync(HttpClient http, HttpMethod method, string relative, HttpContent? content = null)
    {
        var uri = new Uri(http.BaseAddress!.ToString() + relative,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var msg = new HttpRequestMessage(method, uri) { Content = content };
        using var r = await http.SendAsync(msg);
        return new Answer(r.StatusCode, r.Content.Headers.ContentType?.MediaType, await r.Content.ReadAsStringAsync());
    }

    public static Task<Answer> PostJsonAsync(HttpClient http, string relative, JsonNode body) =>
        PostRawAsync(http, relative, body.ToJsonString());

    public static Task<Answer> PostRawAsync(HttpClient http, string relative, string body) =>
        SendAsync(http, HttpMethod.Post, relative, new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>
    /// One HTTP/1.1 exchange over a bare socket: the request head, then exactly <paramref name="body"/>
    /// (which may stop short of what the head announces), then the response read to its end. A refusal
    /// test needs this: a client that keeps sending after the server has answered and closed gets a
    /// TCP reset, and the reset throws away the answer it had not read yet (seen as a flaky
    /// "response ended prematurely"). Sending no more than the server will read avoids the reset.
    /// </summary>
    public static async Task<Answer> ExchangeRawAsync(HttpClient http, string method, string relative,
        IEnumerable<string> headers, byte[] body)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var baseUri = http.BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port, timeout.Token);
        var stream = tcp.GetStream();
        var head = new StringBuilder($"{method} {baseUri.AbsolutePath}{relative} HTTP/1.1\r\nHost: {baseUri.Authority}\r\n");
        if (http.DefaultRequestHeaders.Authorization is { } auth) head.Append($"Authorization: {auth}\r\n");
        foreach (var h in headers) head.Append(h).Append("\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);
        await stream.WriteAsync(body, timeout.Token);
        await stream.FlushAsync(timeout.Token);
        return await ReadResponseAsync(stream, timeout.Token);
    }

    private static async Task<Answer> ReadResponseAsync(Stream stream, CancellationToken ct)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) throw new IOException("the server closed the connection before the response head ended");
            received.Write(buffer, 0, n);
        }

        var lines = Encoding.ASCII.GetString(received.GetBuffer(), 0, headEnd).Split("\r\n");
        var status = (HttpStatusCode)int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();

        // the rest arrives until the length is reached or the server closes (chunked or close-delimited)
        var length = Header("Content-Length") is { } cl ? long.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        var chunked = Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        var bodyStart = headEnd + 4;
        while (length is null ? !(chunked && IndexOf(received, "\r\n0\r\n\r\n"u8) >= 0) : received.Length - bodyStart < length)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) break;
            received.Write(buffer, 0, n);
        }

        var raw = received.ToArray()[bodyStart..];
        var text = chunked ? Dechunk(raw) : Encoding.UTF8.GetString(raw, 0, (int)Math.Min(raw.Length, length ?? raw.Length));
        var mediaType = Header("Content-Type")?.Split(';')[0].Trim();
        return new Answer(status, mediaType, text);
    }

    private static string Dechunk(byte[] raw)
    {
        var text = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = Array.IndexOf(raw, (byte)'\r', at);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(raw, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0) return text.ToString();
            text.Append(Encoding.UTF8.GetString(raw, lineEnd + 2, size));
            at = lineEnd + 2 + size + 2;
        }
    }

    private static int IndexOf(MemoryStream haystack, ReadOnlySpan<byte> needle) =>
        haystack.GetBuffer().AsSpan(0, (int)haystack.Length).IndexOf(needle);

    // ---------------------------------------------------------------- assertions

    /// <summary>The answer is application/problem+json with this status.</summary>
    public static JsonObject AssertProblem(Answer answer, HttpStatusCode status)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {answer}");
        Assert.True(answer.MediaType == "application/problem+json", $"expected application/problem+json, got {answer}");
        var json = answer.Json;
        Assert.True(json is not null, $"problem body is not a JSON object: {answer}");
        Assert.Equal((int)status, json!["status"]?.GetValue<int>());
        return json;
    }

    /// <summary>The answer is a 400 problem whose <c>errors</c> list has an entry for <paramref name="field"/>.</summary>
    public static void AssertInvalid(Answer answer, string field)
    {
        var json = AssertProblem(answer, HttpStatusCode.BadRequest);
        var fields = Fields(json);
        Assert.True(fields.Contains(field, StringComparer.Ordinal),
            $"expected an errors entry for field '{Printable(field)}', got [{string.Join(", ", fields.Select(Printable))}]: {answer}");
    }

    /// <summary>The fields named by a problem: every <c>errors[].field</c> plus a top-level <c>field</c>.</summary>
    public static IReadOnlyList<string> Fields(JsonObject problem)
    {
        var fields = new List<string>();
        if (problem["errors"] is JsonArray errors)
            fields.AddRange(errors.Select(e => e?["field"]?.GetValue<string>()).OfType<string>());
        if (problem["field"] is JsonValue f && f.TryGetValue<string>(out var top))
            fields.Add(top);
        return fields;
    }

    public static string Printable(string s) =>
        s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
         .Replace("\0", "\\0", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
