using System.Security.Claims;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>The API's views of the farm's records: a job is its request's fields plus its record; a server is its registration plus live state.</summary>
public static class Views
{
    private const string Masked = "***";

    /// <summary>The job as <paramref name="viewer"/> may see it: webhooks, their deliveries and the KCIDB push only for its owner and operators.</summary>
    public static BuildJobView Job(JobRecord job, ClaimsPrincipal? viewer)
    {
        var request = job.Request;
        var config = MaskSecrets(request.BuildConfig ?? new BuildConfig());
        // Where a job reports to (internal URLs, delivery errors naming addresses) is its owner's business.
        var seesWebhooks = WebhookVisibility.CanSee(viewer, job);
        return new BuildJobView
        {
            Id = job.Id,
            SourceRepository = request.SourceRepository,
            Branch = request.Branch,
            CommitHash = request.CommitHash,
            TargetArchitecture = request.TargetArchitecture,
            Toolchain = job.Toolchain,
            Priority = request.Priority,
            BuildConfig = config,
            // Webhook headers usually carry the receiver's credentials: names are shown, values never.
            Webhooks = seesWebhooks
                ? (request.Webhooks ?? []).Select(w => w with { Headers = (w.Headers ?? new Dictionary<string, string>()).ToDictionary(h => h.Key, _ => Masked) }).ToList()
                : null,
            SubmittedBy = request.SubmittedBy,
            NoCache = request.NoCache,
            Series = SeriesRequestView.From(request.Series),
            ListRange = request.ListRange,
            Status = job.Status,
            ServerId = job.ServerId,
            Transitions = job.Transitions,
            LogPath = job.LogPath,
            ArtifactDirectory = job.ArtifactDirectory,
            Artifacts = job.Artifacts,
            Failure = job.Failure,
            Boot = job.Boot,
            Attempts = job.Attempts,
            ReusedFrom = job.ReusedFrom,
            Warnings = job.Warnings,
            Errors = job.Errors,
            WebhookDeliveries = seesWebhooks ? job.WebhookDeliveries : null,
            KcidbDelivery = seesWebhooks ? job.KcidbDelivery : null,
            CreatedAt = job.CreatedAt,
            UpdatedAt = job.UpdatedAt,
        };
    }

    /// <summary>secret_env values reach the build only: a view shows "***" in their place.</summary>
    public static BuildConfig MaskSecrets(BuildConfig config)
    {
        var secrets = (config.SecretEnv ?? []).ToHashSet(StringComparer.Ordinal);
        return config with
        {
            CustomEnv = (config.CustomEnv ?? new Dictionary<string, string>())
                .ToDictionary(kv => kv.Key, kv => secrets.Contains(kv.Key) ? Masked : kv.Value, StringComparer.Ordinal),
        };
    }

    public static BuildServerView Server(ServerView view)
    {
        var s = view.Server;
        // The declared container runtime and images as the probe found them (all null when the server
        // declares no runtime, or until the first successful probe); a missing runtime misses every image.
        var c = s.ContainerRuntime is null ? null : view.DetectedContainers;
        return new BuildServerView
        {
            Id = s.Id,
            Hostname = s.Hostname,
            IpAddress = s.IpAddress,
            SshUsername = s.SshUsername,
            SshPort = s.SshPort,
            SshKeyPath = s.SshKeyPath,
            SshHostKeyFingerprint = s.SshHostKeyFingerprint,
            SupportedArchitectures = s.SupportedArchitectures,
            Toolchains = s.Toolchains,
            TotalCpuCores = s.TotalCpuCores,
            TotalMemoryMb = s.TotalMemoryMb,
            TotalStorageGb = s.TotalStorageGb,
            MaxConcurrentJobs = s.MaxConcurrentJobs,
            WorkspaceRoot = s.WorkspaceRoot,
            AllowedWorkspaceRoots = s.AllowedWorkspaceRoots,
            CacheDirectory = s.CacheDirectory,
            GitCacheLimitMb = s.GitCacheLimitMb,
            CcacheLimitMb = s.CcacheLimitMb,
            ContainerRuntime = s.ContainerRuntime,
            ContainerImages = s.ContainerImages,
            ContainerDefaultCpus = s.ContainerDefaultCpus,
            ContainerDefaultMemoryMb = s.ContainerDefaultMemoryMb,
            SlotsInUse = view.SlotsInUse,
            RunningJobs = view.RunningJobs,
            Health = view.Health.Status,
            LastProbeAt = view.Health.CheckedAt,
            LastProbeError = view.Health.Error,
            RegisteredAt = view.RegisteredAt,
            Draining = view.Draining,
            // What the probe found installed, and declared toolchains it did not find (null until the first probe).
            DetectedToolchains = view.DetectedToolchains,
            MissingToolchains = view.DetectedToolchains is { } found ? KernelFarm.Actors.Servers.ToolchainDetection.Missing(s.Toolchains, found) : null,
            ContainerRuntimeFound = c?.RuntimeFound,
            ContainerRuntimeVersion = c?.RuntimeVersion,
            ContainerImagesMissing = c is not null ? KernelFarm.Actors.Servers.ContainerDetection.Missing(s, c) : null,
            Caches = Caches(view),
        };
    }

    /// <summary>The server's caches (docs/caches.md): where, how big against their limits, which repositories; sizes null until the first successful probe.</summary>
    private static ServerCacheView Caches(ServerView view)
    {
        var caches = view.Caches;
        return new ServerCacheView(
            KernelFarm.Actors.Execution.GitCache.RootFor(view.Server),
            caches?.GitBytes,
            (long)view.Server.GitCacheLimitMb * 1024 * 1024,
            caches?.Repositories,
            caches?.CcacheBytes,
            (long)view.Server.CcacheLimitMb * 1024 * 1024,
            caches?.Trees);
    }
}
