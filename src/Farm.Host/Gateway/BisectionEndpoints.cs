using System.Security.Claims;
using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Bisections;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Validation;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>/api/v1/bisections: start a bisection, follow it, cancel it (docs/bisection.md).</summary>
public static class BisectionEndpoints
{
    public static void MapBisectionEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/bisections").RequireAuthorization(FarmPolicies.Viewer);
        var validator = JobValidation.For(settings);

        g.MapPost("", async (HttpContext http, IRequiredActor<ServerPool> pool, IRequiredActor<BuildBisections> bisections, IRequiredActor<BuildJobs> jobs) =>
        {
            var (submission, error) = await JsonBody.ReadAsync<BisectionSubmission>(http.Request);
            if (error is not null) return error;
            if (submission is null) return Problems.Invalid("body", "a bisection body is required");
            var template = submission.Template();
            var errors = BisectionRules.Check(submission.Good, submission.Bad, submission.Criterion, submission.MaxParallel, template).ToList();
            var checkedTemplate = submission.Criterion?.Kind == CriterionKind.BootFails ? template with { BuildConfig = template.BuildConfig with { BootTest = true } } : template;
            errors.AddRange(validator.Validate(checkedTemplate with { Webhooks = submission.Webhooks ?? [] })
                .Where(e => !errors.Any(x => x.Field == e.Field)));
            if (errors.Count > 0) return Problems.Invalid(errors);

            var c = template.BuildConfig;
            var feasible = await pool.ActorRef.Ask<ServerPoolReplies.Feasibility>(
                new ServerPoolCommands.CheckFeasible(template.TargetArchitecture, template.Toolchain, c.WorkspaceRoot, c.BuildDirectory, c.ContainerImage), settings.AskTimeout);
            if (!feasible.Feasible) return Problems.Unprocessable(feasible.Field!, feasible.Reason!);

            var accepted = new BisectionEvents.Accepted(Guid.CreateVersion7().ToString(),
                new BisectionRequest
                {
                    Template = template, Good = submission.Good!, Bad = submission.Bad!, Criterion = submission.Criterion!, MaxParallel = submission.MaxParallel,
                },
                ApiPrincipal.NameOf(http.User), submission.Webhooks ?? [], DateTimeOffset.UtcNow);
            var reply = await bisections.ActorRef.Ask<BisectionReplies.View>(new BisectionCommands.Accept(accepted), settings.AskTimeout);
            return Results.Json(await ViewAsync(reply, jobs.ActorRef, settings, http.User), statusCode: StatusCodes.Status202Accepted, contentType: "application/json");
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("StartBisection", "Find the first bad commit between good and bad: the ends are checked, then the range is split K ways each round (202)")
          .AcceptsJson<BisectionSubmission>()
          .Produces<BisectionView>(StatusCodes.Status202Accepted).WithProblems(400, 401, 403, 413, 422, 503);

        g.MapGet("/{id}", async (string id, HttpContext http, IRequiredActor<BuildBisections> bisections, IRequiredActor<BuildJobs> jobs) =>
            await FindAsync(id, bisections.ActorRef, settings) is { } view
                ? Results.Ok(await ViewAsync(view, jobs.ActorRef, settings, http.User))
                : Problems.NotFound("bisection", id))
            .Describe("GetBisection", "A bisection: its state, the window of suspects round by round, every step, and the first bad commit once found")
            .Produces<BisectionView>().WithProblems(401, 404, 503);

        g.MapPost("/{id}/cancel", async (string id, HttpContext http, IRequiredActor<BuildBisections> bisections, IRequiredActor<BuildJobs> jobs) =>
        {
            if (await FindAsync(id, bisections.ActorRef, settings) is not { } found) return Problems.NotFound("bisection", id);
            var isOperator = ApiPrincipal.RoleOf(http.User) is { } role && role.Includes(ApiRole.Operator);
            if (!JobOwnership.MayChange(found.Bisection.SubmittedBy, ApiPrincipal.NameOf(http.User), isOperator))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"bisection {id} was started by another token; a submitter may cancel only its own bisections (operators any)",
                    extensions: new Dictionary<string, object?> { ["field"] = "submitted_by" });
            if (found.Bisection.EndedAt is not null) return Problems.Conflict($"bisection {id} has already ended");
            var reply = await bisections.ActorRef.Ask<BisectionReplies.View>(new BisectionCommands.Cancel(id), settings.AskTimeout);
            return Results.Json(await ViewAsync(reply, jobs.ActorRef, settings, http.User), statusCode: StatusCodes.Status202Accepted, contentType: "application/json");
        }).RequireAuthorization(FarmPolicies.Submitter)
          .Describe("CancelBisection", "Cancel a bisection: its running builds are cancelled and no more are queued")
          .Produces<BisectionView>(StatusCodes.Status202Accepted).WithProblems(401, 403, 404, 409, 503);
    }

    /// <summary>The bisection, or null for an id that is not a bisection id's shape or names none.</summary>
    internal static async Task<BisectionReplies.View?> FindAsync(string id, IActorRef bisections, FarmSettings settings)
    {
        if (!Guid.TryParseExact(id, "D", out _)) return null;
        return await bisections.Ask<object>(new BisectionCommands.Get(id), settings.AskTimeout) as BisectionReplies.View;
    }

    /// <summary>The bisection with its steps' jobs' current states (asked of the jobs themselves, all at once).</summary>
    internal static async Task<BisectionView> ViewAsync(BisectionReplies.View reply, IActorRef jobs, FarmSettings settings, ClaimsPrincipal viewer)
    {
        var b = reply.Bisection;
        var states = (await Task.WhenAll(b.Steps.Where(s => s.Queued).Select(async s =>
            {
                try
                {
                    return await jobs.Ask<object>(new BuildJobCommands.Get(s.JobId), settings.AskTimeout) is BuildJobReplies.JobView v
                        ? new KeyValuePair<int, JobStatus>?(new(s.Number, v.Job.Status)) : null;
                }
                catch (AskTimeoutException) { return null; } // shown as queued until its job answers
            })))
            .OfType<KeyValuePair<int, JobStatus>>().ToDictionary(p => p.Key, p => p.Value);
        var commits = reply.StepCommits.ToDictionary(c => c.Index);
        BisectCommitView? Commit(int? index) => index is { } i && commits.TryGetValue(i, out var c) ? new(c.Index, c.Sha, c.Author, c.Subject) : null;
        BisectCommitView Of(BisectCommit c) => new(c.Index, c.Sha, c.Author, c.Subject);
        // the window and rounds from the steps and the range's length; no window once the ends proved
        // wrong or nothing was listed: there never were suspects
        var rounds = b.CommitCount is { } n ? BisectionSearch.Rounds(n, b.Steps) : [];
        var window = b.CommitCount is not { } count || b.Outcome?.Result is BisectOutcome.EndsWrong or BisectOutcome.Failed
            ? null : BisectionSearch.WindowOf(count, b.Steps.Where(s => s.Role != StepRole.List));
        var steps = b.Steps.Where(s => s.Role != StepRole.List).ToList();
        var ends = steps.Where(s => s.Role is StepRole.Good or StepRole.Bad).ToList();
        return new BisectionView
        {
            Id = b.Id,
            State = b.EndedAt is not null ? "ended" : b.CommitCount is null ? "listing" : ends.Count < 2 || ends.Any(s => s.Verdict is null) ? "checking_ends" : "bisecting",
            Result = b.Outcome?.Result,
            Message = b.Outcome?.Message,
            SourceRepository = b.Request.Template.SourceRepository,
            Branch = b.Request.Template.Branch,
            Good = b.Request.Good,
            Bad = b.Request.Bad,
            TargetArchitecture = b.Request.Template.TargetArchitecture,
            Toolchain = b.Request.Template.Toolchain,
            BuildConfig = Views.MaskSecrets(b.Request.Template.BuildConfig),
            Criterion = b.Request.Criterion,
            MaxParallel = b.Request.MaxParallel,
            SubmittedBy = b.SubmittedBy,
            CreatedAt = b.CreatedAt,
            EndedAt = b.EndedAt,
            CancelRequested = b.CancelRequestedAt is not null,
            DurationS = Math.Round(((b.EndedAt ?? DateTimeOffset.UtcNow) - b.CreatedAt).TotalSeconds, 1),
            GoodCommit = b.CommitCount is null ? null : Commit(0),
            BadCommit = b.CommitCount is { } last ? Commit(last) : null,
            Commits = b.CommitCount,
            FirstBad = b.Outcome?.FirstBad is { } f ? Of(f) : null,
            Candidates = (b.Outcome?.Candidates ?? []).Select(Of).ToList(),
            Excerpt = b.Outcome?.Excerpt ?? [],
            Window = window is null ? null : new BisectWindowView(window.Lo + 1, window.Hi, window.Count),
            Rounds = rounds.Select(r => new BisectRoundView(r.Round, new BisectWindowView(r.Window.Lo + 1, r.Window.Hi, r.Window.Count),
                b.Steps.Where(s => s.Round == r.Round && s.Role != StepRole.List).Select(s => s.Number).ToList())).ToList(),
            Builds = steps.Count(s => s.Verdict is not Verdict.Superseded),
            Steps = b.Steps.Select(s => new BisectStepView
            {
                Step = s.Number, Round = s.Round, Role = s.Role.ToString().ToLowerInvariant(), Index = s.Index, Commit = Commit(s.Index), JobId = s.JobId,
                State = states.TryGetValue(s.Number, out var st) ? st.ToString().ToLowerInvariant() : s.Queued ? "queued" : "pending",
                Verdict = s.Verdict?.ToString().ToLowerInvariant(), Detail = s.Detail, Excerpt = s.Excerpt, DurationS = s.DurationS, Server = s.Server, Reused = s.Reused,
            }).ToList(),
            WebhookDeliveries = WebhookVisibility.CanSee(viewer, b.SubmittedBy) ? b.WebhookDeliveries : [],
        };
    }
}
