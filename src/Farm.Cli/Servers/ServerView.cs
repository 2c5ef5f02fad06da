using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Servers;

/// <summary>How a build server (the API's server JSON) looks in a table row and in `servers show`.</summary>
public static class ServerView
{
    public static string List(IReadOnlyList<JsonNode> servers)
    {
        var table = new Table("ID", "ADDRESS", "ARCHES", "TOOLCHAINS", "SLOTS", "HEALTH", "DRAINING").AlignRight(4);
        foreach (var s in servers)
            table.Add(Json.Str(s, "id"), Address(s), string.Join(",", Json.Strings(s, "supported_architectures")),
                Toolchains(s), Slots(s), Json.Str(s, "health"), Json.Bool(s, "draining") == true ? "yes" : "no");
        return table.Render();
    }

    public static string Show(JsonNode s)
    {
        var running = Json.Strings(s, "running_jobs");
        return new Details()
            .Add("id", Json.Str(s, "id"))
            .Add("hostname", Json.Str(s, "hostname"))
            .Add("address", Address(s))
            .Add("ssh user", Json.Str(s, "ssh_username"))
            .Add("ssh key", Json.Str(s, "ssh_key_path"))
            .Add("host key", Json.Str(s, "ssh_host_key_fingerprint"))
            .Add("architectures", string.Join(", ", Json.Strings(s, "supported_architectures")))
            .Add("toolchains", string.Join("\n", Json.Array(s, "toolchains").Select(Toolchain)))
            .Add("cpu cores", Json.Str(s, "total_cpu_cores"))
            .Add("memory", Json.Long(s, "total_memory_mb") is { } mb ? $"{mb} MB" : null)
            .Add("storage", Json.Long(s, "total_storage_gb") is { } gb ? $"{gb} GB" : null)
            .Add("slots", Slots(s))
            .Add("running jobs", running.Count == 0 ? "none" : string.Join("\n", running))
            .Add("workspace root", Json.Str(s, "workspace_root"))
            .Add("allowed roots", string.Join(", ", Json.Strings(s, "allowed_workspace_roots")))
            .Add("health", Json.Str(s, "health"))
            .Add("last probe", Durations.Timestamp(Json.Str(s, "last_probe_at")))
            .Add("probe error", Json.Str(s, "last_probe_error"))
            .Add("draining", Json.Bool(s, "draining") == true ? "yes" : "no")
            .Add("registered", Durations.Timestamp(Json.Str(s, "registered_at")))
            .Add("cache directory", Json.Str(s["caches"], "directory"))
            .Add("git cache", CacheSize(s["caches"], "git"))
            .Add("cached repos", string.Join("\n", Json.Array(s["caches"], "repositories").Select(r =>
                $"{Json.Str(r, "name")}  {Bytes.Format(Json.Long(r, "bytes") ?? 0)}  used {Durations.Timestamp(Json.Str(r, "last_used")) ?? "never"}")))
            .Add("ccache", CacheSize(s["caches"], "ccache"))
            .Render();
    }

    /// <summary>"1.2 GiB of 20 GiB", or "? of 20 GiB" before the first probe; null when the server shows no caches.</summary>
    private static string? CacheSize(JsonNode? caches, string kind) =>
        Json.Long(caches, kind + "_limit_bytes") is not { } limit ? null
        : $"{(Json.Long(caches, kind + "_bytes") is { } used ? Bytes.Format(used) : "?")} of {Bytes.Format(limit)}";

    public static string Address(JsonNode s) =>
        Json.Str(s, "ip_address") is { } ip ? $"{(ip.Contains(':') ? $"[{ip}]" : ip)}:{Json.Str(s, "ssh_port") ?? "22"}" : "-";

    public static string Slots(JsonNode s) => $"{Json.Long(s, "slots_in_use") ?? 0}/{Json.Str(s, "max_concurrent_jobs") ?? "?"}";

    /// <summary>In the --toolchain flag's own form: gcc-12:x86_64,i386 (cross prefix appended when set).</summary>
    public static string Toolchains(JsonNode s) => string.Join(" ", Json.Array(s, "toolchains").Select(t =>
        $"{Json.Str(t, "name")}:{string.Join(",", Json.Strings(t, "target_architectures"))}"));

    private static string Toolchain(JsonNode t)
    {
        var cross = Json.Str(t, "cross_compile");
        return $"{Json.Str(t, "name")}: {string.Join(", ", Json.Strings(t, "target_architectures"))}"
               + (string.IsNullOrEmpty(cross) ? "" : $" (CROSS_COMPILE={cross})");
    }
}
