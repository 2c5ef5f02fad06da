using System.Text.Json;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// What a plan's webhook receives once every build has ended (header X-KernelFarm-Event: plan-ended;
/// X-KernelFarm-Delivery: plan-&lt;id&gt;-&lt;index&gt;): the plan's outcome and each build's state and job.
/// </summary>
public static class PlanWebhookPayload
{
    public const string Event = "plan-ended";

    public static string Build(PlanRecord plan, IReadOnlyDictionary<int, JobStatus> jobs)
    {
        var counts = PlanSummary.Count(plan, jobs);
        var body = new Dictionary<string, object?>
        {
            ["event"] = Event,
            ["plan"] = new Dictionary<string, object?>
            {
                ["id"] = plan.Id,
                ["name"] = plan.Name,
                ["git_repo"] = plan.GitRepo,
                ["git_ref"] = plan.GitRef,
                ["git_sha"] = plan.GitSha,
                ["submitted_by"] = plan.SubmittedBy,
                ["created_at"] = plan.CreatedAt,
                ["ended_at"] = plan.EndedAt,
                ["result"] = plan.Result,
                ["counts"] = new Dictionary<string, int>
                {
                    ["queued"] = counts.Queued, ["running"] = counts.Running, ["completed"] = counts.Completed,
                    ["failed"] = counts.Failed, ["cancelled"] = counts.Cancelled, ["unsupported"] = counts.Unsupported,
                },
                ["builds"] = plan.Builds.Select(b => new Dictionary<string, object?>
                {
                    ["index"] = b.Index, ["path"] = b.Path, ["group"] = b.Group, ["name"] = b.Name,
                    ["target_arch"] = b.TargetArch, ["toolchain"] = b.Toolchain, ["kconfig"] = b.Kconfig,
                    ["state"] = PlanSummary.StateOf(plan, b, jobs), ["job_id"] = b.JobId, ["unsupported"] = b.Unsupported,
                }).ToList(),
            },
        };
        return JsonSerializer.Serialize(body, FarmJson.Options);
    }
}
