using System.Net;
using System.Text;
using KernelFarm.Bench.Farm;
using KernelFarm.Bench.Harness;

namespace KernelFarm.Bench.Scheduler;

/// <summary>
/// Submissions over HTTP: POST /api/v1/infrastructure/build-jobs (202) against the real host
/// with its embedded SQLite journal, M concurrent requests. Baseline: GET /healthz/live on the
/// same host at the same concurrency (what the HTTP stack alone costs).
/// </summary>
public static class HttpSubmissions
{
    public sealed record Result(LoadResult Submit, LoadResult Live, int Waiting);

    public static async Task<Result> RunAsync(BenchContext context, int concurrency, TimeSpan warmUp, TimeSpan window, CancellationToken ct)
    {
        var root = context.NewDirectory("http");
        // The same single draining server as in-process (registering a real one needs SSH).
        await JournalSeed.DrainingServersAsync(new Actors.FarmSettings { DataDirectory = Path.Combine(root, "data") },
            context.HoconDirectory, [Simulated.Server(0)]);
        await using var host = await HostProcess.StartAsync(context, root, new Dictionary<string, string>
        {
            // 429 once this many jobs wait: far above what a run submits.
            ["Farm__MaxQueueSize"] = "10000000",
        }, ct);
        using var http = host.Client(concurrency);

        context.Log($"http: GET /healthz/live, {concurrency} concurrent requests");
        var live = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
        {
            using var r = await http.GetAsync("healthz/live", token);
            return r.StatusCode == HttpStatusCode.OK;
        }, ct);
        context.Log($"http: /healthz/live {live.PerSecond:F0}/s");

        context.Log($"http: POST build-jobs, {concurrency} concurrent requests");
        var body = Encoding.UTF8.GetBytes(Simulated.RequestJson);
        var submit = await ClosedLoop.RunAsync(concurrency, warmUp, window, async token =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var r = await http.PostAsync("api/v1/infrastructure/build-jobs", content, token);
            if (r.StatusCode == HttpStatusCode.Accepted) return true;
            throw new InvalidOperationException($"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(token)}");
        }, ct);
        var waiting = await host.WaitingAsync(ct);
        context.Log($"http: POST {submit.PerSecond:F0}/s accepted, {submit.Failed} failed{(submit.FirstError is null ? "" : $" ({submit.FirstError})")}; {waiting} waiting");
        return new Result(submit, live, waiting);
    }
}
