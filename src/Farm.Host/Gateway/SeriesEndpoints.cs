using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Series;
using KernelFarm.Actors.Storage;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway;

/// <summary>/api/v1/series: submit a patch series, follow it, read its per-patch report (docs/series.md).</summary>
public static class SeriesEndpoints
{
    /// <summary>A step file read for the report is cut here: the base step's log of a big build is the largest.</summary>
    public const int MaxStepFileBytes = 32 * 1024 * 1024;

    public static void MapSeriesEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/series").RequireAuthorization(FarmPolicies.Viewer);
        var validator = JobValidation.For(settings);
        var store = new ArtifactStore(settings.ArtifactStoragePath);

        g.MapPost("", async (HttpContext http, IRequiredActor<BuildQueue> queue, IRequiredActor<ServerPool> pool, IRequiredActor<BuildJobs> jobs) =>
        {
            var (submission, error) = await JsonBody.ReadAsync<SeriesSubmission>(http.Request);
            if (error is not null) return error;
            if (submission is null) return Problems.Invalid("body", "a series body is required");
            var request = submission.ToJobRequest();
            var errors = validator.Validate(request);
            if (errors.Count > 0) return Problems.Invalid(errors);
            var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is not null && (key.Length > JobEndpoints.MaxIdempotencyKeyLength || key.Any(char.IsControl)))
                return Problems.Invalid("Idempotency-Key", $"must be at most {JobEndpoints.MaxIdempotencyKeyLength} printable characters");
            request = request with { SubmittedBy = ApiPrincipal.NameOf(http.User) };
            return await JobEndpoints.EnqueueAsync(http, request, key, queue.ActorRef, pool.ActorRef, jobs.ActorRef, settings,
                job => Report(store, job));
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("SubmitSeries", "Queue a patch series: the base, then each patch built incrementally on the last (202)")
          .AcceptsJson<SeriesSubmission>()
          .Produces<SeriesReport>(StatusCodes.Status202Accepted).Produces<SeriesReport>(StatusCodes.Status200OK)
          .WithProblems(400, 401, 403, 413, 422, 429, 503);

        JobExistence? existence = null;
        var existenceLock = new object();
        async Task<JobRecord?> FindSeries(HttpContext http, string id)
        {
            var services = http.RequestServices;
            JobExistence found;
            lock (existenceLock)
                found = existence ??= new JobExistence(services.GetRequiredService<ActorSystem>(), services.GetRequiredService<IRequiredActor<JobIndex>>().ActorRef,
                    services.GetRequiredService<IRequiredActor<BuildQueue>>().ActorRef, settings.AskTimeout);
            var job = await JobEndpoints.GetJob(services.GetRequiredService<IRequiredActor<BuildJobs>>().ActorRef, found, id, settings);
            return job?.Request.Series is null ? null : job;
        }

        g.MapGet("/{id}", async (string id, HttpContext http) =>
            await FindSeries(http, id) is { } job ? Results.Ok(Report(store, job)) : Problems.NotFound("series", id))
            .Describe("GetSeries", "A series and its steps as they stand (live while it runs)")
            .Produces<SeriesReport>().WithProblems(401, 404, 503);

        g.MapGet("/{id}/report", async (string id, string? format, HttpContext http) =>
        {
            if (await FindSeries(http, id) is not { } job) return Problems.NotFound("series", id);
            if (format is not (null or "json" or "text")) return Problems.Invalid("format", "must be json or text");
            var report = Report(store, job);
            return format == "text" ? Results.Text(SeriesText.Render(report), "text/plain; charset=utf-8") : Results.Ok(report);
        }).Describe("GetSeriesReport", "What each patch changed: warnings and errors new and fixed, size, config, build time, boot (format=text: a plain-text summary)")
          .Produces<SeriesReport>().Produces<string>(StatusCodes.Status200OK, "text/plain").WithProblems(400, 401, 404, 503);
    }

    /// <summary>The report from the job, its log (live) and the step folders it published.</summary>
    public static SeriesReport Report(ArtifactStore store, JobRecord job)
    {
        var logPath = store.LogPathFor(job.Id, job.ArtifactDirectory);
        var log = MarkerLines(logPath);
        var published = job.Artifacts.Select(a => a.Path).ToHashSet(StringComparer.Ordinal);
        return SeriesReport.Build(job, log, (step, name) =>
        {
            var path = $"series/{step:D3}/{name}";
            return job.ArtifactDirectory is { } dir && published.Contains(path) ? ReadCapped(Path.Combine(dir, path)) : null;
        });
    }

    /// <summary>Only the agent's series markers of the (live) log: a big build's log is never held whole, and markers past any cap still count.</summary>
    private static string MarkerLines(string path)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            var markers = new System.Text.StringBuilder();
            while (reader.ReadLine() is { } line)
                if (line.StartsWith(KernelFarm.Actors.Execution.SeriesScript.Marker, StringComparison.Ordinal)) markers.Append(line).Append('\n');
            return markers.ToString();
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static string? ReadCapped(string path)
    {
        try { return CappedFile.Read(path, MaxStepFileBytes); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
