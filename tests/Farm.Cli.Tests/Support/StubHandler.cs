using System.Net;
using System.Text;

namespace KernelFarm.Cli.Tests.Support;

/// <summary>An HTTP handler that answers from a function and records every request (with its headers).</summary>
public sealed class StubHandler(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<HttpRequestMessage> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        Requests.Add(request);
        var response = answer(request, Requests.Count - 1);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    public static HttpResponseMessage Text(string body, string mediaType = "text/plain", HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Events(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    public static HttpResponseMessage Events(string body) => Events(new MemoryStream(Encoding.UTF8.GetBytes(body)));

    public static HttpResponseMessage Bytes(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
}

/// <summary>A body that delivers some bytes and then breaks, like a connection reset mid-stream.</summary>
public sealed class BreakingStream(byte[] before) : Stream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= before.Length) throw new IOException("connection reset by peer");
        var n = Math.Min(count, before.Length - _position);
        Array.Copy(before, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
