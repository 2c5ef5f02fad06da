using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// What a webhook receives when a job ends: the event and the job's outcome (status, failure,
/// artifacts with their sha256, where they are), never the job's webhook headers or secret
/// environment values.
/// </summary>
public static class WebhookPayload
{
    public static string EventOf(JobStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Whether this webhook asked for this end state (no list: every end state).</summary>
    public static bool Wants(Webhook hook, JobStatus status) =>
        hook.Events.Count == 0 || hook.Events.Contains(EventOf(status), StringComparer.OrdinalIgnoreCase);

    public static string Build(JobRecord job)
    {
        var r = job.Request;
        var o = new JsonObject
        {
            ["event"] = EventOf(job.Status),
            ["job_id"] = job.Id,
            ["status"] = EventOf(job.Status),
            ["submitted_by"] = r.SubmittedBy,
            ["source_repository"] = r.SourceRepository,
            ["branch"] = r.Branch,
            ["commit_hash"] = r.CommitHash,
            ["target_architecture"] = r.TargetArchitecture,
            ["toolchain"] = job.Toolchain ?? r.Toolchain,
            ["server_id"] = job.ServerId,
            ["failure"] = JsonSerializer.SerializeToNode(job.Failure, FarmJson.Options),
            ["boot"] = JsonSerializer.SerializeToNode(job.Boot, FarmJson.Options),
            ["artifact_directory"] = job.ArtifactDirectory,
            ["artifacts"] = JsonSerializer.SerializeToNode(job.Artifacts, FarmJson.Options),
            ["attempts"] = job.Attempts.Count,
            // A series' webhook fires when its last step ended: the report is one GET away.
            ["series"] = r.Series is null ? null : new JsonObject { ["report"] = $"/api/v1/series/{job.Id}/report" },
            ["created_at"] = job.CreatedAt,
            ["ended_at"] = job.UpdatedAt,
        };
        return o.ToJsonString(FarmJson.Options);
    }
}
