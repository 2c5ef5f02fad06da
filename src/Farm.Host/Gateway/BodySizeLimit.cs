using Microsoft.AspNetCore.Http.Features;

namespace KernelFarm.Host.Gateway;

/// <summary>An endpoint's own, smaller request body limit (e.g. the anonymous sign-in).</summary>
public sealed record RequestBodyLimit(long Bytes);

/// <summary>
/// Request body limits with one answer: 413 application/problem+json naming the limit. Kestrel's
/// MaxRequestBodySize (Farm__MaxRequestBodyBytes) applies to every request; an endpoint with
/// <see cref="RequestBodyLimit"/> metadata gets a smaller one. A declared Content-Length over the limit
/// is refused before a byte of the body is read; a chunked body is cut off by Kestrel when it
/// passes the limit (its BadHttpRequestException becomes the same 413).
/// </summary>
public static class BodySizeLimit
{
    public static IApplicationBuilder UseBodySizeLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>() is { } own && feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = Math.Min(own.Bytes, feature.MaxRequestBodySize ?? long.MaxValue);
        var limit = feature?.MaxRequestBodySize;
        if (limit is not null && http.Request.ContentLength > limit)
        {
            await TooLarge(limit.Value).ExecuteAsync(http);
            return;
        }
        try { await next(http); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
        {
            await TooLarge(limit ?? 0).ExecuteAsync(http);
        }
    });

    public static IResult TooLarge(long limit) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
        detail: $"body: must be at most {limit} bytes",
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = new[] { new Dictionary<string, string> { ["field"] = "body", ["message"] = $"must be at most {limit} bytes" } },
        });
}
