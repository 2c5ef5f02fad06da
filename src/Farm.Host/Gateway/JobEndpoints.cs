using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Storage;
using KernelFarm.Actors.Validation;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>/api/v1/infrastructure/build-jobs: submit, list, show, cancel, log, artifacts.</summary>
public static class JobEndpoints
{
    public const int MaxIdempotencyKeyLength = 200;

    public static void MapJobEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/infrastructure/build-jobs").RequireAuthorization(FarmPolicies.Viewer);
        var validator = JobValidation.For(settings);
        var store = new ArtifactStore(settings.ArtifactStoragePath);

        g.MapPost("", async (HttpContext http, IRequiredActor<BuildQueue> queue, IRequiredActor<ServerPool> pool, IRequiredActor<BuildJobs> jobs) =>
        {
            var (request, error) = await JsonBody.ReadAsync<BuildJobRequest>(http.Request);
            if (error is not null) return error;
            var errors = validator.Validate(request);
            if (errors.Count > 0) return Problems.Invalid(errors);
            var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is not null && (key.Length > MaxIdempotencyKeyLength || key.Any(char.IsControl)))
                return Problems.Invalid("Idempotency-Key", $"must be at most {MaxIdempotencyKeyLength} printable characters");
            request = request! with { SubmittedBy = ApiPrincipal.NameOf(http.User) };

            return await EnqueueAsync(http, request, key, queue.ActorRef, pool.ActorRef, jobs.ActorRef, settings);
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("SubmitBuildJob", "Queue a build job (202; 200 with the existing job for a known Idempotency-Key)")
          .AcceptsJson<BuildJobRequest>()
          .Produces<BuildJobView>(StatusCodes.Status202Accepted).Produces<BuildJobView>(StatusCodes.Status200OK)
          .WithProblems(400, 401, 403, 413, 422, 429, 503);

        g.MapGet("", async (string? status, string? server, string? architecture, string? since, string? until, int? offset, int? limit,
            HttpContext http, IRequiredActor<JobIndex> index) =>
        {
            var (filter, problem) = ListFilter.Parse(status, server, architecture, since, until);
            if (problem is not null) return problem;
            if (offset is < 0) return Problems.Invalid("offset", "must not be negative");
            if (limit is < 1 or > ListPage.MaxLimit) return Problems.Invalid("limit", $"must be between 1 and {ListPage.MaxLimit}");
            var from = offset ?? 0;
            var page = await index.ActorRef.Ask<JobIndexActor.Page>(new JobIndexActor.Query(filter!, from, limit ?? ListPage.DefaultLimit), settings.AskTimeout);
            var views = page.Jobs.Select(j => Views.Job(j.ToRecord(store.LogPathFor(j.Id, j.ArtifactDirectory)), http.User)).ToList();
            // Cut the page before it passes MaxListPageBytes; next_offset says where the rest starts.
            var fit = ListPage.Fit(views.Select(v => System.Text.Encoding.UTF8.GetByteCount(System.Text.Json.JsonSerializer.Serialize(v, KernelFarm.Messages.Serialization.FarmJson.Options))), settings.MaxListPageBytes);
            var next = from + fit < page.Total ? from + fit : (int?)null;
            return Results.Ok(new BuildJobPage(page.Total, from, limit ?? ListPage.DefaultLimit, next, views.Take(fit).ToList()));
        }).Describe("ListBuildJobs", "Jobs newest first, filtered, paged by offset and limit and cut at Farm:MaxListPageBytes")
          .Produces<BuildJobPage>().WithProblems(400, 401, 503);

        // Every route with a job id asks JobExistence first: an id that names no job never reaches the
        // job shards (with remember-entities, starting an entity is itself a journal write).
        JobExistence? existence = null;
        var existenceLock = new object();
        JobExistence Existence(ActorSystem system, IActorRef index, IActorRef queue)
        {
            lock (existenceLock) return existence ??= new JobExistence(system, index, queue, settings.AskTimeout);
        }
        async Task<JobRecord?> Find(HttpContext http, string id)
        {
            var services = http.RequestServices;
            var found = Existence(services.GetRequiredService<ActorSystem>(), services.GetRequiredService<IRequiredActor<JobIndex>>().ActorRef,
                services.GetRequiredService<IRequiredActor<BuildQueue>>().ActorRef);
            return await GetJob(services.GetRequiredService<IRequiredActor<BuildJobs>>().ActorRef, found, id, settings);
        }

        g.MapGet("/{id}", async (string id, HttpContext http) =>
            await Find(http, id) is { } job ? Results.Ok(Views.Job(job, http.User)) : Problems.NotFound("build job", id))
            .Describe("GetBuildJob", "One job").Produces<BuildJobView>().WithProblems(401, 404, 503);

        g.MapPost("/{id}/cancel", async (string id, HttpContext http, IRequiredActor<BuildJobs> jobs) =>
        {
            if (await Find(http, id) is not { } job) return Problems.NotFound("build job", id);
            if (NotYours(http, job) is { } forbidden) return forbidden;
            var reply = await jobs.ActorRef.Ask<object>(new BuildJobCommands.Cancel(id), settings.AskTimeout);
            return reply switch
            {
                BuildJobReplies.JobView v => Results.Json(Views.Job(v.Job, http.User), statusCode: StatusCodes.Status202Accepted),
                BuildJobReplies.AlreadyFinished f => Problems.Conflict($"job {id} already ended as {f.Job.Status.ToString().ToLowerInvariant()}"),
                _ => Problems.NotFound("build job", id),
            };
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("CancelBuildJob", "Cancel a job that has not ended (its own, or any for operators)")
          .Produces<BuildJobView>(StatusCodes.Status202Accepted).WithProblems(401, 403, 404, 409, 503);

        g.MapPost("/{id}/retry", async (string id, HttpContext http, IRequiredActor<BuildQueue> queue, IRequiredActor<ServerPool> pool,
            IRequiredActor<BuildJobs> jobs) =>
        {
            if (await Find(http, id) is not { } job) return Problems.NotFound("build job", id);
            if (NotYours(http, job) is { } forbidden) return forbidden;
            if (!job.Status.IsTerminal())
                return Problems.Conflict($"job {id} is {job.Status.ToString().ToLowerInvariant()}; only an ended job can be run again");
            // An operator may retry anyone's job, but not with the owner's secrets: only the owner resubmits those.
            if (!JobOwnership.IsOwner(job, ApiPrincipal.NameOf(http.User)) && JobOwnership.SecretFields(job.Request) is [var secret, ..] )
                return Problems.Conflict(
                    $"job {id} has secrets of its submitter ({string.Join(", ", JobOwnership.SecretFields(job.Request))}); only its submitter may run it again — submit a new job instead",
                    secret);
            // A new job with the same request: the old one keeps its history and artifacts.
            var request = job.Request with { SubmittedBy = ApiPrincipal.NameOf(http.User) };
            return await EnqueueAsync(http, request, null, queue.ActorRef, pool.ActorRef, jobs.ActorRef, settings);
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("RetryBuildJob", "Queue an ended job's request again as a new job")
          .Produces<BuildJobView>(StatusCodes.Status202Accepted).WithProblems(401, 403, 404, 409, 422, 429, 503);

        g.MapGet("/{id}/log", async (string id, long? offset, bool? follow, HttpContext http, IRequiredActor<BuildJobs> jobs) =>
        {
            if (await Find(http, id) is not { } job) return Problems.NotFound("build job", id);
            if (offset is < 0) return Problems.Invalid("offset", "must not be negative");
            var lastEventId = http.Request.Headers["Last-Event-ID"].FirstOrDefault();
            long? resumeAt = null;
            if (lastEventId is not null)
            {
                if (!long.TryParse(lastEventId, out var at) || at < 0) return Problems.Invalid("Last-Event-ID", "must be a byte offset sent as an event id");
                resumeAt = at;
            }
            if (follow == true || http.Request.Headers.Accept.Any(a => a?.Contains(ServerSentEvents.ContentType) == true))
            {   // live: server-sent events until the job ends (resumable with Last-Event-ID)
                var follower = new LogFollower(store, ct => Find(http, id));
                return Results.Stream(async _ =>
                {
                    try { await follower.RunAsync(http.Response, job, resumeAt ?? offset ?? 0, http.RequestAborted); }
                    catch (OperationCanceledException) { /* the client went away */ }
                }, ServerSentEvents.ContentType);
            }
            var path = store.LogPathFor(id, job.ArtifactDirectory);
            if (!File.Exists(path)) return Results.Text("", "text/plain; charset=utf-8");
            // Streamed from the offset (chunked): the live log keeps growing while we read it.
            return Results.Stream(async body =>
            {
                await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                log.Seek(Math.Min(offset ?? 0, log.Length), SeekOrigin.Begin);
                await log.CopyToAsync(body);
            }, "text/plain; charset=utf-8");
        }).Describe("GetBuildJobLog", "The build log from a byte offset; with follow=true or Accept: text/event-stream, live until the job ends")
          .Produces<string>(StatusCodes.Status200OK, "text/plain", ServerSentEvents.ContentType).WithProblems(400, 401, 404, 503);

        g.MapGet("/{id}/artifacts", async (string id, HttpContext http) =>
        {
            if (await Find(http, id) is not { } job) return Problems.NotFound("build job", id);
            return Results.Ok(new ArtifactList(id, job.Status, job.ArtifactDirectory, job.Artifacts));
        }).Describe("ListBuildJobArtifacts", "A job's published files with their sizes and sha256")
          .Produces<ArtifactList>().WithProblems(401, 404, 503);

        g.MapGet("/{id}/artifacts/{**path}", async (string id, string path, HttpContext http) =>
        {
            if (await Find(http, id) is not { } job) return Problems.NotFound("build job", id);
            var entry = job.Artifacts.FirstOrDefault(a => a.Path == path);
            if (entry is null || job.ArtifactDirectory is null || !ArtifactManifest.IsSafeArtifactPath(path))
                return Problems.NotFound("artifact", path);
            var file = Path.GetFullPath(Path.Combine(job.ArtifactDirectory, path));
            if (!file.StartsWith(Path.GetFullPath(job.ArtifactDirectory) + "/", StringComparison.Ordinal) || !File.Exists(file))
                return Problems.NotFound("artifact", path);
            http.Response.Headers["Digest"] = "sha-256=" + Convert.ToBase64String(Convert.FromHexString(entry.Sha256));
            http.Response.Headers["X-Checksum-Sha256"] = entry.Sha256;
            return Results.File(file, "application/octet-stream", Path.GetFileName(path), enableRangeProcessing: true);
        }).Describe("GetBuildJobArtifact", "One artifact's bytes (Range supported; Digest and X-Checksum-Sha256 headers)")
          .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream").WithProblems(401, 404, 503);
    }

    /// <summary>Checks that some server could run it, then queues it: 202 with the new job, 200 for a known Idempotency-Key, 422, 429.</summary>
    /// <param name="view">The answer's body for a job (default: <see cref="Views.Job"/>).</param>
    internal static async Task<IResult> EnqueueAsync(HttpContext http, BuildJobRequest request, string? key, IActorRef queue, IActorRef pool,
        IActorRef jobs, FarmSettings settings, Func<JobRecord, object>? view = null)
    {
        view ??= job => Views.Job(job, http.User);
        var c = request.BuildConfig;
        var feasible = await pool.Ask<ServerPoolReplies.Feasibility>(
            new ServerPoolCommands.CheckFeasible(request.TargetArchitecture, request.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage), settings.AskTimeout);
        if (!feasible.Feasible)
            return Problems.Unprocessable(feasible.Field!, feasible.Reason!);

        var reply = await queue.Ask<object>(new QueueCommands.Submit(Guid.CreateVersion7().ToString(), request, key), settings.AskTimeout);
        switch (reply)
        {
            case QueueReplies.Accepted { Existing: true } existing:
                var current = await jobs.Ask<object>(new BuildJobCommands.Get(existing.Job.Id), settings.AskTimeout);
                return current is BuildJobReplies.JobView v ? Results.Ok(view(v.Job)) : Results.Ok(view(existing.Job));
            case QueueReplies.Accepted accepted:
                return Results.Json(view(accepted.Job), statusCode: StatusCodes.Status202Accepted, contentType: "application/json");
            case QueueReplies.QueueFull full:
                http.Response.Headers.RetryAfter = full.RetryAfterSeconds.ToString();
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Queue full",
                    detail: $"the queue holds its maximum of {full.MaxQueueSize} waiting jobs; retry later");
            default:
                return Results.Problem(statusCode: 500, detail: $"unexpected reply {reply.GetType().Name}");
        }
    }

    /// <summary>403 unless the caller may cancel or retry the job (<see cref="JobOwnership"/>).</summary>
    private static IResult? NotYours(HttpContext http, JobRecord job) =>
        JobOwnership.MayChange(job, ApiPrincipal.NameOf(http.User), ApiPrincipal.RoleOf(http.User) is { } role && role.Includes(ApiRole.Operator))
            ? null
            : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"job {job.Id} was submitted by another token; a submitter may cancel and retry only its own jobs (operators any)",
                extensions: new Dictionary<string, object?> { ["field"] = "submitted_by" });

    /// <summary>The job, or null for an id of the wrong shape or one that names no job (then no job actor is started).</summary>
    public static async Task<JobRecord?> GetJob(IActorRef jobs, JobExistence existence, string id, FarmSettings settings)
    {
        if (!await existence.ExistsAsync(id)) return null;
        var reply = await jobs.Ask<object>(new BuildJobCommands.Get(id), settings.AskTimeout);
        return reply is BuildJobReplies.JobView v ? v.Job : null;
    }
}
