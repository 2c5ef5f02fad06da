using System.Text;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// The text/event-stream wire format (WHATWG HTML, "server-sent events"): one event is optional
/// id and event fields, one data field per line of the payload, and a blank line.
/// </summary>
public static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    public static string Format(string? eventType, string data, string? id = null)
    {
        var sb = new StringBuilder();
        if (id is not null) sb.Append("id: ").Append(OneLine(id)).Append('\n');
        if (eventType is not null) sb.Append("event: ").Append(OneLine(eventType)).Append('\n');
        // CR, LF and CRLF all end a line in this format: a payload line may contain none of them.
        foreach (var line in data.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
            sb.Append("data: ").Append(line).Append('\n');
        return sb.Append('\n').ToString();
    }

    /// <summary>A comment: ignored by clients, keeps proxies from closing an idle stream.</summary>
    public const string KeepAlive = ": keep-alive\n\n";

    public static void Prepare(HttpResponse response)
    {
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not buffer the stream
    }

    private static string OneLine(string s) => s.Replace("\r", "").Replace("\n", "");
}
