using System.Text.Json;
using KernelFarm.Messages.Serialization;
using Microsoft.AspNetCore.Http.Features;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// Reads a bounded JSON body (the request's body limit, see <see cref="BodySizeLimit"/>: 413 over it);
/// malformed or unknown fields become a 400 naming the field.
/// </summary>
public static class JsonBody
{
    /// <summary>When no server limit applies (tests without Kestrel).</summary>
    public const int MaxBytes = 1 << 20;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request) where T : class
    {
        var (buffer, tooLarge) = await ReadBoundedAsync(request);
        if (tooLarge is not null) return (null, tooLarge);
        if (buffer.Length == 0) return (null, Problems.Invalid("body", "a JSON object is required"));
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.ToArray(), FarmJson.Options);
            return value is null ? (null, Problems.Invalid("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid(FieldOf(e), Describe(e)));
        }
    }

    /// <summary>The body as UTF-8 text, within the same bound (a plan file, for one).</summary>
    public static async Task<(string? Text, IResult? Error)> ReadTextAsync(HttpRequest request)
    {
        var (buffer, tooLarge) = await ReadBoundedAsync(request);
        if (tooLarge is not null) return (null, tooLarge);
        try { return (new System.Text.UTF8Encoding(false, true).GetString(buffer.ToArray()), null); }
        catch (System.Text.DecoderFallbackException) { return (null, Problems.Invalid("body", "must be UTF-8 text")); }
    }

    private static async Task<(MemoryStream Buffer, IResult? TooLarge)> ReadBoundedAsync(HttpRequest request)
    {
        var max = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? MaxBytes;
        var buffer = new MemoryStream();
        if (request.ContentLength > max) return (buffer, BodySizeLimit.TooLarge(max));
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + n > max) return (buffer, BodySizeLimit.TooLarge(max));
            buffer.Write(chunk, 0, n);
        }
        return (buffer, null);
    }

    /// <summary>"$.build_config.git_depth" → "build_config.git_depth"; "$['odd key']" → "odd key".</summary>
    private static string FieldOf(JsonException e)
    {
        var field = System.Text.RegularExpressions.Regex.Replace(e.Path ?? "$", @"\['((?:[^']|'')*)'\]", m => "." + m.Groups[1].Value);
        field = field.TrimStart('$').TrimStart('.');
        // A missing required member is reported at its parent object: name the member.
        var including = e.Message.IndexOf("including: '", StringComparison.Ordinal);
        if (including >= 0)
        {
            var from = including + "including: '".Length;
            var to = e.Message.IndexOf('\'', from);
            if (to > from) field = (field.Length == 0 ? "" : field + ".") + e.Message[from..to];
        }
        return field.Length == 0 ? "body" : field;
    }

    private static string Describe(JsonException e) =>
        e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a known field"
        : e.Message.Contains("missing required properties", StringComparison.Ordinal) ? "is required"
        : "has the wrong type or is malformed JSON";
}
