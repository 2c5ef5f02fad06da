using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Jobs;

/// <summary>How a job (the API's job JSON) looks in `jobs list`, `jobs show` and the end of `--wait`.</summary>
public static class JobView
{
    public static string List(IReadOnlyList<JsonNode> jobs, DateTimeOffset now)
    {
        var table = new Table("ID", "STATUS", "ARCH", "CONFIG", "SERVER", "CREATED", "DURATION").AlignRight(6);
        foreach (var j in jobs)
            table.Add(Json.Str(j, "id"), Json.Str(j, "status"), Json.Str(j, "target_architecture"),
                Json.Str(j["build_config"], "kernel_config") ?? "defconfig", Json.Str(j, "server_id"),
                Durations.Timestamp(Json.Str(j, "created_at")), Duration(j, now) is { } d ? Durations.Format(d) : null);
        return table.Render();
    }

    public static string Show(JsonNode j, DateTimeOffset now)
    {
        var config = j["build_config"];
        var details = new Details()
            .Add("id", Json.Str(j, "id"))
            .Add("status", Json.Str(j, "status"))
            .Add("repository", Json.Str(j, "source_repository"))
            .Add("branch", Json.Str(j, "branch"))
            .Add("commit", Json.Str(j, "commit_hash"))
            .Add("architecture", Json.Str(j, "target_architecture"))
            .Add("toolchain", Json.Str(j, "toolchain"))
            .Add("kernel config", Json.Str(config, "kernel_config") ?? "defconfig")
            .Add("fragments", string.Join("\n", Json.Strings(config, "kconfig_fragments")))
            .Add("make args", string.Join(" ", Json.Strings(config, "extra_make_args")))
            .Add("priority", Json.Str(j, "priority"))
            .Add("submitted by", Json.Str(j, "submitted_by"))
            .Add("server", Json.Str(j, "server_id"))
            .Add("created", Durations.Timestamp(Json.Str(j, "created_at")))
            .Add("updated", Durations.Timestamp(Json.Str(j, "updated_at")))
            .Add("duration", Duration(j, now) is { } d ? Durations.Format(d) : null)
            .Add("failure", Failure(j))
            .Add("boot", Boot(j))
            .Add("warnings/errors", j["warnings"] is null ? null : $"{Json.Str(j, "warnings")} / {Json.Str(j, "errors")}")
            .Add("reused from", Json.Str(j, "reused_from") is { } source ? $"{source} (the same inputs: its result, not built again)" : null)
            .Add("artifacts", Artifacts(j))
            .Add("output", Json.Str(j, "artifact_directory"))
            .Add("transitions", string.Join("\n", Json.Array(j, "transitions").Select(t =>
                $"{Durations.Timestamp(Json.Str(t, "at"))}  {Json.Str(t, "status")}")))
            .Add("attempts", Attempts(j));
        return details.Render();
    }

    /// <summary>One line: how the job ended (or where it is).</summary>
    public static string Summary(JsonNode j, DateTimeOffset now)
    {
        var id = Json.Str(j, "id");
        var status = Json.Str(j, "status") ?? "unknown";
        var took = Duration(j, now) is { } d ? $" in {Durations.Format(d)}" : "";
        var on = Json.Str(j, "server_id") is { } server ? $" on {server}" : "";
        return status switch
        {
            "completed" => $"job {id} completed{took}{on}: {Json.Array(j, "artifacts").Count} artifacts{(Boot(j) is { } boot ? $"; boot {boot}" : "")}" +
                (Json.Str(j, "reused_from") is { } source ? $" (the result of job {source})" : ""),
            "failed" => $"job {id} failed{took}{on}: {Failure(j) ?? "no reason recorded"}",
            _ => $"job {id} {status}{took}{on}",
        };
    }

    /// <summary>The boot test's result: "pass in 1.5 s" or "fail in 3.2 s: reason"; null without a boot test.</summary>
    public static string? Boot(JsonNode j)
    {
        if (j["boot"] is not { } b) return null;
        var reason = Json.Str(b, "reason") is { } r ? $": {r}" : "";
        return $"{Json.Str(b, "status")} in {Json.Str(b, "duration_s")} s{reason}";
    }

    public static string? Failure(JsonNode j)
    {
        var f = j["failure"];
        if (f is null) return null;
        var exit = Json.Str(f, "exit_code") is { } code ? $", exit code {code}" : "";
        return $"{Json.Str(f, "kind")} failure in {Json.Str(f, "step")}{exit}: {Json.Str(f, "message")}";
    }

    /// <summary>Ended jobs: from creation to the last update; running ones: until now.</summary>
    public static TimeSpan? Duration(JsonNode j, DateTimeOffset now)
    {
        if (Json.Time(j, "created_at") is not { } created) return null;
        var end = JobStates.IsTerminal(Json.Str(j, "status")) ? Json.Time(j, "updated_at") ?? now : now;
        return end - created;
    }

    private static string? Artifacts(JsonNode j)
    {
        var artifacts = Json.Array(j, "artifacts");
        if (artifacts.Count == 0) return null;
        var table = new Table("PATH", "SIZE").AlignRight(1);
        foreach (var a in artifacts) table.Add(Json.Str(a, "path"), Json.Long(a, "size") is { } s ? Bytes.Format(s) : null);
        return table.Render().TrimEnd('\n');
    }

    private static string? Attempts(JsonNode j)
    {
        var attempts = Json.Array(j, "attempts");
        if (attempts.Count == 0) return null;
        return string.Join("\n", attempts.Select(a =>
        {
            var failure = a["failure"] is { } f ? $": {Json.Str(f, "kind")} failure in {Json.Str(f, "step")}: {Json.Str(f, "message")}" : "";
            return $"#{Json.Str(a, "attempt")} on {Json.Str(a, "server_id")} from {Durations.Timestamp(Json.Str(a, "started_at"))}" +
                   (Json.Str(a, "ended_at") is { } end ? $" to {Durations.Timestamp(end)}" : "") + failure;
        }));
    }
}
