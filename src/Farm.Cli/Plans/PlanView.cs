using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Plans;

/// <summary>How a plan (the API's PlanView JSON) looks in `plans show`, `plans list` and at the end of `plans submit --wait`.</summary>
public static class PlanView
{
    /// <summary>"2 completed, 1 failed, 1 unsupported": the non-zero counts, ended ones first.</summary>
    public static string Counts(JsonNode? plan)
    {
        var counts = plan?["counts"];
        var parts = new[] { "completed", "failed", "cancelled", "unsupported", "running", "queued" }
            .Select(name => (name, n: Json.Long(counts, name) ?? 0)).Where(c => c.n > 0).Select(c => $"{c.n} {c.name}").ToList();
        return parts.Count == 0 ? "no builds" : string.Join(", ", parts);
    }

    /// <summary>One line: "plan ID pass: 3 completed in 1m 02s", or where it is while it runs.</summary>
    public static string Summary(JsonNode plan)
    {
        var id = Json.Str(plan, "id");
        var took = Duration(plan) is { } d ? Durations.Format(d) : null;
        return PlanOutcome.HasEnded(plan)
            ? $"plan {id} {Json.Str(plan, "result") ?? "ended"}: {Counts(plan)}{(took is null ? "" : $" in {took}")}"
            : $"plan {id} {Json.Str(plan, "state") ?? "unknown"}: {Counts(plan)}{(took is null ? "" : $" ({took} so far)")}";
    }

    /// <summary>The plan's matrix, then the summary line.</summary>
    public static string MatrixAndSummary(JsonNode plan, int width) =>
        new PlanMatrix(PlanBuild.All(plan)).Render(width) + Summary(plan) + "\n";

    public static string Show(JsonNode plan, int width)
    {
        var details = new Details()
            .Add("id", Json.Str(plan, "id"))
            .Add("name", Json.Str(plan, "name"))
            .Add("description", Json.Str(plan, "description"))
            .Add("repository", Json.Str(plan, "git_repo"))
            .Add("ref", Json.Str(plan, "git_ref"))
            .Add("commit", Json.Str(plan, "git_sha"))
            .Add("submitted by", Json.Str(plan, "submitted_by"))
            .Add("created", Durations.Timestamp(Json.Str(plan, "created_at")))
            .Add("ended", Durations.Timestamp(Json.Str(plan, "ended_at")))
            .Add("state", Json.Str(plan, "state") + (Json.Bool(plan, "cancel_requested") == true ? " (cancel requested)" : ""))
            .Add("result", Json.Str(plan, "result"))
            .Add("duration", Duration(plan) is { } d ? Durations.Format(d) : null)
            .Add("builds", Counts(plan));
        var sb = new StringBuilder(details.Render()).Append('\n');
        sb.Append(new PlanMatrix(PlanBuild.All(plan)).Render(width)).Append('\n');
        var table = new Table("PATH", "NAME", "STATE", "JOB", "UNSUPPORTED");
        foreach (var b in PlanBuild.All(plan)) table.Add(b.Path, b.Name, b.State, b.JobId, b.Unsupported);
        return sb.Append(table.Render()).ToString();
    }

    /// <summary>`plans list`: a page of GET /api/v1/plans.</summary>
    public static string List(IReadOnlyList<JsonNode> plans)
    {
        var table = new Table("ID", "NAME", "STATE", "RESULT", "BUILDS", "REF", "SUBMITTED BY", "CREATED").AlignRight(4);
        foreach (var p in plans)
            table.Add(Json.Str(p, "id"), Json.Str(p, "name"), Json.Str(p, "state"), Json.Str(p, "result"), Json.Str(p, "builds"),
                Json.Str(p, "git_ref"), Json.Str(p, "submitted_by"), Durations.Timestamp(Json.Str(p, "created_at")));
        return table.Render();
    }

    public static TimeSpan? Duration(JsonNode plan) =>
        plan["duration_s"] is JsonValue v && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s) : null;
}
