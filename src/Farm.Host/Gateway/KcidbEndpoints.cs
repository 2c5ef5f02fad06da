using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Kcidb;
using KernelFarm.Actors.Storage;
using KernelFarm.Host.Auth;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway;

/// <summary>GET /api/v1/kcidb: the farm's jobs as a KCIDB v5.3 document (docs/kcidb.md).</summary>
public static class KcidbEndpoints
{
    /// <summary>At most this many jobs in one document (a since that matches more gives the newest).</summary>
    public const int MaxJobs = 5000;

    /// <summary>Without a filter: the jobs submitted in this last stretch.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static void MapKcidbEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var store = new ArtifactStore(settings.ArtifactStoragePath);
        JobExistence? existence = null;
        var existenceLock = new object();

        app.MapGet("/api/v1/kcidb", async (string? plan, string? job, string? since, HttpContext http,
            IRequiredActor<BuildPlans> plans, IRequiredActor<BuildJobs> jobs, IRequiredActor<JobIndex> index, IRequiredActor<BuildQueue> queue) =>
        {
            var (filter, problem) = ListFilter.Parse(null, null, null, since, null);
            if (problem is not null) return problem;
            if (plan is null && job is null && since is null) filter = new JobFilter(Since: DateTimeOffset.UtcNow - DefaultWindow);

            // Each filter narrows the jobs: a plan's, one job, those submitted since.
            IReadOnlyList<JobRecord>? chosen = null;
            if (plan is not null)
            {
                if (await PlanEndpoints.FindAsync(plan, plans.ActorRef, settings) is not { } found) return Problems.NotFound("plan", plan);
                var ids = found.Builds.Where(b => b.JobId is not null && found.Queued.Contains(b.Index)).Select(b => b.JobId!).ToList();
                chosen = (await Task.WhenAll(ids.Select(id => Get(jobs.ActorRef, id)))).OfType<JobRecord>().ToList();
            }
            if (job is not null)
            {
                lock (existenceLock) existence ??= new JobExistence(http.RequestServices.GetRequiredService<ActorSystem>(), index.ActorRef, queue.ActorRef, settings.AskTimeout);
                if (await JobEndpoints.GetJob(jobs.ActorRef, existence, job, settings) is not { } one) return Problems.NotFound("build job", job);
                chosen = chosen is null ? [one] : chosen.Where(j => j.Id == one.Id).ToList();
            }
            if (chosen is null)
            {
                var page = await index.ActorRef.Ask<JobIndexActor.Page>(new JobIndexActor.Query(filter!, 0, MaxJobs), settings.AskTimeout);
                chosen = page.Jobs.Select(j => j.ToRecord(store.LogPathFor(j.Id, j.ArtifactDirectory))).ToList();
            }
            else if (filter!.Since is { } from)
                chosen = chosen.Where(j => j.CreatedAt >= from).ToList();

            var described = await Task.WhenAll(chosen.Select(KcidbJob.LoadAsync));
            var baseUrl = settings.Kcidb.PublicUrl is { Length: > 0 } url ? url : $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Ok(KcidbMapper.Map(described, settings.Kcidb.Origin, baseUrl));
        }).RequireAuthorization(FarmPolicies.Viewer)
          .Describe("GetKcidb", "Jobs as a KCIDB v5.3 document (checkouts, builds, boot tests), by plan, job and/or since (none: the last 24 h)")
          .Produces<KcidbDocument>().WithProblems(400, 401, 404, 503);

        async Task<JobRecord?> Get(IActorRef jobs, string id)
        {
            try
            {
                return await jobs.Ask<object>(new BuildJobCommands.Get(id), settings.AskTimeout) is BuildJobReplies.JobView v ? v.Job : null;
            }
            catch (AskTimeoutException) { return null; } // left out rather than failing the whole document
        }
    }
}
