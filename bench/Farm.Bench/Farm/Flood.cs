using System.Text;

namespace KernelFarm.Bench.Farm;

/// <summary>Submits simulated jobs over HTTP as fast as <c>connections</c> clients can; every one must be accepted (202).</summary>
public static class Flood
{
    public static async Task SubmitAsync(HttpClient http, int jobs, int connections, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(Simulated.RequestJson);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= jobs)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var r = await http.PostAsync("api/v1/infrastructure/build-jobs", content, ct);
                if (r.StatusCode != System.Net.HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"submit: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
            }
        }));
    }
}
