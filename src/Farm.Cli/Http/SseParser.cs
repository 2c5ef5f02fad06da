using System.Text;

namespace KernelFarm.Cli.Http;

/// <summary>
/// Incremental text/event-stream parser (WHATWG HTML, "server-sent events"): accepts the stream in
/// chunks split anywhere (inside a line, between CR and LF, inside a UTF-8 sequence) and returns the
/// events completed by each chunk. Lines end with LF, CR or CRLF; ':' starts a comment; an empty
/// line dispatches the event; the id persists across events as the spec's "last event id".
/// </summary>
public sealed class SseParser
{
    private readonly Decoder _utf8 = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder _line = new();
    private readonly StringBuilder _data = new();
    private bool _hasData;
    private string? _eventType;
    private bool _afterCr;
    private bool _started;

    /// <summary>The id to resume from (Last-Event-ID), as last set by an id field.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>A reconnection delay the server asked for (retry field), in milliseconds.</summary>
    public int? RetryMilliseconds { get; private set; }

    public IReadOnlyList<SseEvent> Feed(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[_utf8.GetCharCount(bytes, flush: false)];
        var n = _utf8.GetChars(bytes, chars, flush: false);
        return Feed(chars.AsSpan(0, n));
    }

    public IReadOnlyList<SseEvent> Feed(ReadOnlySpan<char> text)
    {
        var events = new List<SseEvent>();
        foreach (var c in text)
        {
            if (!_started)
            {
                _started = true;
                if (c == '\uFEFF') continue; // a leading byte order mark is not part of the first line
            }
            if (_afterCr)
            {
                _afterCr = false;
                if (c == '\n') continue; // the LF of a CRLF
            }
            if (c is '\r' or '\n')
            {
                _afterCr = c == '\r';
                if (Line(_line.ToString()) is { } e) events.Add(e);
                _line.Clear();
            }
            else _line.Append(c);
        }
        return events;
    }

    private SseEvent? Line(string line)
    {
        if (line.Length == 0) return Dispatch();
        if (line[0] == ':') return null; // comment (keep-alive)
        var colon = line.IndexOf(':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? "" : line[(colon + 1)..];
        if (value.StartsWith(' ')) value = value[1..];
        switch (field)
        {
            case "event":
                _eventType = value;
                break;
            case "data":
                if (_hasData) _data.Append('\n');
                _data.Append(value);
                _hasData = true;
                break;
            case "id":
                if (!value.Contains('\0')) LastEventId = value;
                break;
            case "retry":
                if (value.Length > 0 && value.All(char.IsAsciiDigit) && int.TryParse(value, out var ms)) RetryMilliseconds = ms;
                break;
            // other fields are ignored
        }
        return null;
    }

    private SseEvent? Dispatch()
    {
        var type = string.IsNullOrEmpty(_eventType) ? "message" : _eventType;
        var e = _hasData ? new SseEvent(type, _data.ToString(), LastEventId) : null;
        _data.Clear();
        _hasData = false;
        _eventType = null;
        return e;
    }
}
