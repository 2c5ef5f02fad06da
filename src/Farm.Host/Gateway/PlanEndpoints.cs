using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Plans;
using KernelFarm.Actors.Validation;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>/api/v1/plans: submit a TuxSuite plan, show it, cancel it (docs/plans.md).</summary>
public static class PlanEndpoints
{
    /// <summary>One client for every plan's kconfig URLs: no redirects, short limits (KconfigFetcher).</summary>
    private static readonly HttpClient KconfigHttp = KconfigFetcher.NewClient();

    public static void MapPlanEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/plans").RequireAuthorization(FarmPolicies.Viewer);
        var validator = JobValidation.For(settings);
        var policy = JobValidation.Policy(settings);

        g.MapPost("", async (string? git_repo, string? git_ref, string? git_sha, string? job_name, bool? no_cache, string? callback, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "callback_header")] string[]? callbackHeaders, HttpContext http,
            IRequiredActor<ServerPool> pool, IRequiredActor<BuildPlans> plans, IRequiredActor<BuildJobs> jobs) =>
        {
            var (text, error) = await JsonBody.ReadTextAsync(http.Request);
            if (error is not null) return error;
            var missing = new List<ValidationError>();
            if (string.IsNullOrWhiteSpace(git_repo)) missing.Add(new("git_repo", "is required (the repository to build, as tuxsuite plan --git-repo)"));
            if (string.IsNullOrWhiteSpace(git_ref)) missing.Add(new("git_ref", "is required (a branch or tag, as tuxsuite plan --git-ref)"));
            if (string.IsNullOrWhiteSpace(text)) missing.Add(new("body", "a TuxSuite plan (YAML or JSON) is required"));
            var (webhooks, webhookErrors) = Callback(callback, callbackHeaders ?? [], policy);
            missing.AddRange(webhookErrors);
            if (missing.Count > 0) return Problems.Invalid(missing);

            var (plan, errors) = TuxPlanParser.Parse(text!);
            if (plan is null) return Problems.Invalid(errors);
            var builds = plan.Builds.ToList();
            if (job_name is not null)
            {
                builds = builds.Where(b => b.JobName == job_name).ToList();
                if (builds.Count == 0)
                    return Problems.Invalid("job_name", $"the plan has no job of that name (its jobs: {string.Join(", ", plan.Jobs.Select(j => j.Name))})");
            }

            var servers = (await pool.ActorRef.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, settings.AskTimeout))
                .Servers.Select(s => s.Server).ToList();
            var catalog = Catalog.Build(ArchitectureCatalog.Default, servers, settings);
            var capabilities = new PlanCapabilities(ArchitectureCatalog.Default,
                catalog.Architectures.ToDictionary(a => a.Name, a => (IReadOnlyCollection<string>)a.Toolchains.ToHashSet(StringComparer.Ordinal)));
            var source = new PlanSource(git_repo!, git_ref!, string.IsNullOrWhiteSpace(git_sha) ? null : git_sha, no_cache == true);
            var submitter = ApiPrincipal.NameOf(http.User);

            // kconfig URLs: fetched once, now, from where the operator allows (the lines go into the jobs)
            var urls = builds.SelectMany(b => b.Kconfig.Skip(1)).Select(k => k.Trim()).Where(KconfigUrlRule.IsUrl).ToList();
            var fetched = urls.Count == 0 ? null
                : await new KconfigFetcher(KconfigHttp, settings.KconfigUrlPrefixes).FetchAsync(urls, http.RequestAborted);

            var planned = new List<PlanBuild>();
            var problems = new List<ValidationError>();
            foreach (var (build, index) in builds.Select((b, i) => (b, i)))
            {
                var translated = PlanTranslator.Translate(build, source, capabilities, fetched);
                var entry = new PlanBuild
                {
                    Index = index, Path = build.Path, Group = build.JobName, Name = translated.Name,
                    TargetArch = build.TargetArch, Toolchain = build.Toolchain, Kconfig = build.Kconfig,
                    Unsupported = translated.Unsupported,
                };
                if (translated.Request is { } request)
                {
                    // validated as a client's request (submitted_by is the farm's: the plan's actor sets it when it queues the job)
                    var invalid = validator.Validate(request);
                    if (invalid.Count > 0)
                    {
                        problems.AddRange(invalid.Select(e => e with { Field = PlanTranslator.PathOf(build, e.Field) }).DistinctBy(e => (e.Field, e.Message)));
                        continue;
                    }
                    // What placement says decides: a server may offer the toolchain but not take the job.
                    var c = request.BuildConfig;
                    var feasible = await pool.ActorRef.Ask<ServerPoolReplies.Feasibility>(
                        new ServerPoolCommands.CheckFeasible(request.TargetArchitecture, request.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage), settings.AskTimeout);
                    entry = feasible.Feasible
                        ? entry with { Request = request, JobId = Guid.CreateVersion7().ToString() }
                        : entry with { Unsupported = feasible.Reason };
                }
                planned.Add(entry);
            }
            if (problems.Count > 0) return Problems.Invalid(problems.DistinctBy(e => (e.Field, e.Message)).ToList());

            var accepted = new PlanEvents.Accepted(Guid.CreateVersion7().ToString(), plan.Name, plan.Description, source.GitRepo, source.GitRef,
                source.GitSha, submitter, planned, DateTimeOffset.UtcNow) { Webhooks = webhooks };
            var reply = await plans.ActorRef.Ask<PlanReplies.PlanView>(new PlanCommands.Accept(accepted), settings.AskTimeout);
            return Results.Json(await ViewAsync(reply.Plan, jobs.ActorRef, settings), statusCode: StatusCodes.Status202Accepted, contentType: "application/json");
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("SubmitPlan", "Queue every build of a TuxSuite plan (YAML or JSON body; git_repo and git_ref as query parameters)")
          .Accepts<string>("application/yaml", "text/yaml", "application/json") // the plan file's text, as TuxSuite users write it
          .Produces<PlanView>(StatusCodes.Status202Accepted).WithProblems(400, 401, 403, 413, 503);

        g.MapGet("", async (int? offset, int? limit, IRequiredActor<JobIndex> index) =>
        {
            if (offset is < 0) return Problems.Invalid("offset", "must not be negative");
            if (limit is < 1 or > ListPage.MaxLimit) return Problems.Invalid("limit", $"must be between 1 and {ListPage.MaxLimit}");
            var (from, take) = (offset ?? 0, limit ?? ListPage.DefaultLimit);
            var page = await index.ActorRef.Ask<JobIndexActor.PlanPage>(new JobIndexActor.ListPlans(from, take), settings.AskTimeout);
            var items = page.Plans.Select(p => new PlanListItem
            {
                Id = p.Id, Name = p.Name, GitRepo = p.GitRepo, GitRef = p.GitRef, SubmittedBy = p.SubmittedBy, CreatedAt = p.CreatedAt,
                EndedAt = p.EndedAt, State = p.EndedAt is null ? "running" : "ended", Result = p.Result, Builds = p.Builds.Count,
            }).ToList();
            return Results.Ok(new PlanPage(page.Total, from, take, from + items.Count < page.Total ? from + items.Count : null, items));
        }).Describe("ListPlans", "Plans newest first, paged by offset and limit (the job index's plan rows: they may trail a plan by a second)")
          .Produces<PlanPage>().WithProblems(400, 401, 503);

        g.MapGet("/{id}", async (string id, IRequiredActor<BuildPlans> plans, IRequiredActor<BuildJobs> jobs) =>
            await FindAsync(id, plans.ActorRef, settings) is { } plan
                ? Results.Ok(await ViewAsync(plan, jobs.ActorRef, settings))
                : Problems.NotFound("plan", id))
            .Describe("GetPlan", "One plan: its builds' states, counts and result").Produces<PlanView>().WithProblems(401, 404, 503);

        g.MapPost("/{id}/cancel", async (string id, HttpContext http, IRequiredActor<BuildPlans> plans, IRequiredActor<BuildJobs> jobs) =>
        {
            if (await FindAsync(id, plans.ActorRef, settings) is not { } plan) return Problems.NotFound("plan", id);
            var isOperator = ApiPrincipal.RoleOf(http.User) is { } role && role.Includes(ApiRole.Operator);
            if (!JobOwnership.MayChange(plan.SubmittedBy, ApiPrincipal.NameOf(http.User), isOperator))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"plan {id} was submitted by another token; a submitter may cancel only its own plans (operators any)",
                    extensions: new Dictionary<string, object?> { ["field"] = "submitted_by" });
            if (plan.EndedAt is not null) return Problems.Conflict($"plan {id} has already ended");
            var reply = await plans.ActorRef.Ask<PlanReplies.PlanView>(new PlanCommands.Cancel(id), settings.AskTimeout);
            return Results.Json(await ViewAsync(reply.Plan, jobs.ActorRef, settings), statusCode: StatusCodes.Status202Accepted, contentType: "application/json");
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("CancelPlan", "Cancel a plan: builds not yet queued never run, queued and running ones are cancelled")
          .Produces<PlanView>(StatusCodes.Status202Accepted).WithProblems(401, 403, 404, 409, 503);
    }

    /// <summary>
    /// The plan's webhook, as <c>tuxsuite plan --callback URL [--callback-header "Name: value"]</c>: called
    /// once when every build has ended, under the same rules as a job's webhooks (docs/webhooks.md).
    /// </summary>
    private static (IReadOnlyList<Webhook> Hooks, IReadOnlyList<ValidationError> Errors) Callback(string? url, string[] headers, JobValidationPolicy policy)
    {
        var errors = new List<ValidationError>();
        if (url is null)
        {
            if (headers.Length > 0) errors.Add(new("callback_header", "needs a callback"));
            return ([], errors);
        }
        var parsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            if (colon <= 0) { errors.Add(new("callback_header", "must be \"Name: value\"")); continue; }
            parsed[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }
        var hook = new Webhook { Url = url, Headers = parsed };
        var checks = new List<ValidationError>();
        WebhookRules.Check([hook], policy, checks);
        errors.AddRange(checks.Select(e => e with { Field = e.Field.StartsWith("webhooks[0].headers", StringComparison.Ordinal) ? "callback_header" : "callback" }));
        return ([hook], errors);
    }

    /// <summary>The plan, or null for an id that is not a plan id's shape or names no plan.</summary>
    internal static async Task<PlanRecord?> FindAsync(string id, IActorRef plans, FarmSettings settings)
    {
        if (!Guid.TryParseExact(id, "D", out _)) return null;
        var reply = await plans.Ask<object>(new PlanCommands.Get(id), settings.AskTimeout);
        return reply is PlanReplies.PlanView v ? v.Plan : null;
    }

    /// <summary>The plan with its jobs' current states (asked of the jobs themselves, all at once).</summary>
    internal static async Task<PlanView> ViewAsync(PlanRecord plan, IActorRef jobs, FarmSettings settings)
    {
        var queued = plan.Builds.Where(b => b.JobId is not null && plan.Queued.Contains(b.Index)).ToList();
        var records = (await Task.WhenAll(queued.Select(async b =>
            {
                try
                {
                    return await jobs.Ask<object>(new BuildJobCommands.Get(b.JobId!), settings.AskTimeout) is BuildJobReplies.JobView v
                        ? new KeyValuePair<int, JobRecord>?(new(b.Index, v.Job)) : null;
                }
                catch (AskTimeoutException) { return null; } // shown as queued until its job answers
            })))
            .OfType<KeyValuePair<int, JobRecord>>().ToDictionary(p => p.Key, p => p.Value);
        var statuses = records.ToDictionary(r => r.Key, r => r.Value.Status);
        var counts = PlanSummary.Count(plan, statuses);
        // ended when the plan's actor has seen every build end (it persists that, and fires the plan's webhook then)
        var ended = plan.EndedAt is not null;
        return new PlanView
        {
            Id = plan.Id, Name = plan.Name, Description = plan.Description, GitRepo = plan.GitRepo, GitRef = plan.GitRef, GitSha = plan.GitSha,
            SubmittedBy = plan.SubmittedBy, CreatedAt = plan.CreatedAt, EndedAt = plan.EndedAt, CancelRequested = plan.CancelRequestedAt is not null,
            State = ended ? "ended" : "running",
            Result = ended ? PlanSummary.Result(plan, statuses) : null,
            Counts = new PlanCounts(counts.Queued, counts.Running, counts.Completed, counts.Failed, counts.Cancelled, counts.Unsupported),
            DurationS = Math.Round(((plan.EndedAt ?? DateTimeOffset.UtcNow) - plan.CreatedAt).TotalSeconds, 1),
            Builds = plan.Builds.Select(b =>
            {
                var job = records.GetValueOrDefault(b.Index);
                return new PlanBuildView
                {
                    Index = b.Index, Path = b.Path, Group = b.Group, Name = b.Name, TargetArch = b.TargetArch, Toolchain = b.Toolchain,
                    Kconfig = b.Kconfig, State = PlanSummary.StateOf(plan, b, statuses), JobId = b.JobId, Unsupported = b.Unsupported,
                    Warnings = job?.Warnings, Errors = job?.Errors, ReusedFrom = job?.ReusedFrom,
                };
            }).ToList(),
        };
    }
}
