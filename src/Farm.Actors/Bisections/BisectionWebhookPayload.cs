using System.Text.Json;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// What a bisection's webhook receives when it ends (header X-KernelFarm-Event: bisection-ended;
/// X-KernelFarm-Delivery: bisection-&lt;id&gt;-&lt;index&gt;): the outcome, the first bad commit and the steps.
/// </summary>
public static class BisectionWebhookPayload
{
    public const string Event = "bisection-ended";

    public static string Build(BisectionRecord r)
    {
        var body = new Dictionary<string, object?>
        {
            ["event"] = Event,
            ["bisection"] = new Dictionary<string, object?>
            {
                ["id"] = r.Id,
                ["source_repository"] = r.Request.Template.SourceRepository,
                ["good"] = r.Request.Good,
                ["bad"] = r.Request.Bad,
                ["submitted_by"] = r.SubmittedBy,
                ["created_at"] = r.CreatedAt,
                ["ended_at"] = r.EndedAt,
                ["result"] = r.Outcome?.Result,
                ["message"] = r.Outcome?.Message,
                ["first_bad"] = r.Outcome?.FirstBad,
                ["candidates"] = r.Outcome?.Candidates,
                ["excerpt"] = r.Outcome?.Excerpt,
                ["steps"] = r.Steps.Select(s => new Dictionary<string, object?>
                {
                    ["step"] = s.Number, ["round"] = s.Round, ["role"] = s.Role, ["index"] = s.Index,
                    ["commit"] = s.Index is { } i && i < r.Commits.Count ? r.Commits[i].Sha : null,
                    ["job_id"] = s.JobId, ["verdict"] = s.Verdict, ["duration_s"] = s.DurationS, ["server"] = s.Server,
                }).ToList(),
                ["report"] = $"/api/v1/bisections/{r.Id}",
            },
        };
        return JsonSerializer.Serialize(body, FarmJson.Options);
    }
}
