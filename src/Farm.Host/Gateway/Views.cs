using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Host.Auth;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>The API's JSON shapes: a job is its request's fields plus its record; a server is its registration plus live state.</summary>
public static class Views
{
    /// <summary>The job as <paramref name="viewer"/> may see it: webhooks and their deliveries only for its owner and operators.</summary>
    public static JsonObject Job(JobRecord job, ClaimsPrincipal? viewer)
    {
        var o = JsonSerializer.SerializeToNode(job.Request, FarmJson.Options)!.AsObject();
        var record = JsonSerializer.SerializeToNode(job with { Request = new BuildJobRequest() }, FarmJson.Options)!.AsObject();
        record.Remove("request");
        var result = new JsonObject { ["id"] = job.Id };
        foreach (var (k, v) in o) result[k] = v?.DeepClone();
        foreach (var (k, v) in record) if (k != "id") result[k] = v?.DeepClone();
        // secret_env values reach the build only: a view shows "***" in their place.
        if (result["build_config"]?["custom_env"] is JsonObject env)
            foreach (var name in job.Request.BuildConfig?.SecretEnv ?? [])
                if (env.ContainsKey(name)) env[name] = "***";
        // Webhook headers usually carry the receiver's credentials: names are shown, values never.
        foreach (var hook in result["webhooks"]?.AsArray() ?? [])
            if (hook?["headers"] is JsonObject headers)
                foreach (var name in headers.Select(h => h.Key).ToList()) headers[name] = "***";
        // Where a job reports to (internal URLs, delivery errors naming addresses) is its owner's business.
        if (!WebhookVisibility.CanSee(viewer, job))
        {
            result.Remove("webhooks");
            result.Remove("webhook_deliveries");
        }
        return result;
    }

    public static JsonObject Server(ServerView view)
    {
        var o = JsonSerializer.SerializeToNode(view.Server, FarmJson.Options)!.AsObject();
        o["slots_in_use"] = view.SlotsInUse;
        o["running_jobs"] = JsonSerializer.SerializeToNode(view.RunningJobs, FarmJson.Options);
        o["health"] = view.Health.Status == HealthStatus.Healthy ? "healthy" : "unhealthy";
        o["last_probe_at"] = view.Health.CheckedAt;
        o["last_probe_error"] = view.Health.Error;
        o["registered_at"] = view.RegisteredAt;
        o["draining"] = view.Draining;
        // What the probe found installed, and declared toolchains it did not find (null until the first probe).
        o["detected_toolchains"] = view.DetectedToolchains is { } d ? JsonSerializer.SerializeToNode(d, FarmJson.Options) : null;
        o["missing_toolchains"] = view.DetectedToolchains is { } found
            ? JsonSerializer.SerializeToNode(KernelFarm.Actors.Servers.ToolchainDetection.Missing(view.Server.Toolchains, found), FarmJson.Options)
            : null;
        // The declared container runtime and images as the probe found them (all null when the server
        // declares no runtime, or until the first successful probe); a missing runtime misses every image.
        var c = view.Server.ContainerRuntime is null ? null : view.DetectedContainers;
        o["container_runtime_found"] = c?.RuntimeFound;
        o["container_runtime_version"] = c?.RuntimeVersion;
        o["container_images_missing"] = c is not null
            ? JsonSerializer.SerializeToNode(KernelFarm.Actors.Servers.ContainerDetection.Missing(view.Server, c), FarmJson.Options)
            : null;
        o["caches"] = Caches(view);
        return o;
    }

    /// <summary>The server's caches (README "Caches"): where, how big against their limits, which repositories; sizes null until the first successful probe.</summary>
    private static JsonObject Caches(ServerView view)
    {
        var caches = view.Caches;
        return new JsonObject
        {
            ["directory"] = KernelFarm.Actors.Execution.GitCache.RootFor(view.Server),
            ["git_bytes"] = caches?.GitBytes,
            ["git_limit_bytes"] = (long)view.Server.GitCacheLimitMb * 1024 * 1024,
            ["repositories"] = caches is null ? null : new JsonArray(caches.Repositories.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["bytes"] = r.Bytes,
                ["last_used"] = r.LastUsed,
            }).ToArray()),
            ["ccache_bytes"] = caches?.CcacheBytes,
            ["ccache_limit_bytes"] = (long)view.Server.CcacheLimitMb * 1024 * 1024,
        };
    }
}
