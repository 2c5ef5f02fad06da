using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>A server as placement sees it: what it offers and how much of it is free.</summary>
/// <param name="CachedRepositories">The git mirrors (<see cref="Execution.GitCache.MirrorName"/>) the server's cache holds, as far as the pool knows.</param>
public sealed record ServerCapacity(BuildServer Server, int SlotsInUse, bool Healthy = true, bool Draining = false,
    IReadOnlySet<string>? CachedRepositories = null)
{
    public int FreeSlots => Math.Max(0, Server.MaxConcurrentJobs - SlotsInUse);
}

/// <summary>What a job needs from a server, beyond a free slot.</summary>
/// <param name="Repository">The mirror name of the job's repository (cache affinity); null: no preference.</param>
/// <param name="Tree">A series' built-tree key (<see cref="Execution.SeriesTree"/>): the server that holds it is preferred above all.</param>
public sealed record JobRequirements(string Architecture, string? Toolchain, string? WorkspaceRoot, string? BuildDirectory, string? ContainerImage = null,
    string? Repository = null, string? Tree = null)
{
    public static JobRequirements Of(BuildJobRequest r) =>
        new(r.TargetArchitecture, r.Toolchain, r.BuildConfig.WorkspaceRoot, r.BuildConfig.BuildDirectory, r.BuildConfig.ContainerImage,
            string.IsNullOrEmpty(r.SourceRepository) ? null : Execution.GitCache.MirrorName(r.SourceRepository), Execution.SeriesTree.Key(r));
}

/// <summary>
/// Pure placement: eligible servers have the architecture, a toolchain for it (the named one if
/// the job names one) and allow the job's workspace paths; among those with a free slot, one whose
/// git cache holds the job's repository wins (cache affinity: only among servers that can take the
/// job now, so it never keeps a job waiting), then the least loaded (ties: native toolchain, then
/// id, so placement is deterministic).
/// </summary>
public static class PlacementStrategy
{
    public static Toolchain? ToolchainFor(BuildServer server, JobRequirements job)
    {
        if (!server.SupportedArchitectures.Contains(job.Architecture, StringComparer.Ordinal)) return null;
        if (!AllowsPaths(server, job)) return null;
        return server.Toolchains
            .Where(t => t.TargetArchitectures.Contains(job.Architecture, StringComparer.Ordinal))
            .Where(t => job.Toolchain is null || t.Name == job.Toolchain)
            .OrderBy(t => t.CrossCompile.Length) // native before cross
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    public static bool AllowsPaths(BuildServer server, JobRequirements job)
    {
        var roots = server.AllowedWorkspaceRoots.Append(server.WorkspaceRoot).ToList();
        // The caches are the farm's: no job's workspace may sit in (or be) the cache directory.
        var cache = Execution.GitCache.RootFor(server);
        if (job.WorkspaceRoot is { } r0 && SafePath.IsWithin(r0, cache)) return false;
        if (job.BuildDirectory is { } d0 && SafePath.IsWithin(d0, cache)) return false;
        if (job.WorkspaceRoot is { } root && !roots.Any(r => SafePath.IsWithin(root, r))) return false;
        if (job.BuildDirectory is { } dir && !roots.Any(r => SafePath.IsWithin(dir, r) && dir != r)) return false;
        return true;
    }

    /// <summary>Why no registered server could ever run the job (and which field is to blame), or null if one could.</summary>
    public static (string Field, string Reason)? Infeasibility(IEnumerable<BuildServer> servers, JobRequirements job)
    {
        var all = servers.ToList();
        if (all.Count == 0) return ("target_architecture", "no build server is registered");
        if (all.Any(s => ContainerPlacement.Offer(s, job) is not null)) return null;
        if (ContainerPlacement.Infeasibility(all, job) is { } container) return container;
        var arch = all.Where(s => s.SupportedArchitectures.Contains(job.Architecture)).ToList();
        if (arch.Count == 0) return ("target_architecture", $"no registered server supports architecture {job.Architecture}");
        if (job.Toolchain is not null && !arch.Any(s => s.Toolchains.Any(t => t.Name == job.Toolchain && t.TargetArchitectures.Contains(job.Architecture))))
            return ("toolchain", $"no registered server has toolchain {job.Toolchain} for {job.Architecture}");
        if (!arch.Any(s => AllowsPaths(s, job)))
            return (job.BuildDirectory is not null && (job.WorkspaceRoot is null || arch.Any(s => AllowsPaths(s, job with { BuildDirectory = null })))
                    ? "build_config.build_directory" : "build_config.workspace_root",
                "no registered server allows the requested workspace_root/build_directory (see the servers' workspace_root and allowed_workspace_roots)");
        return ("target_architecture", $"no registered server has a toolchain for {job.Architecture}");
    }

    /// <summary>
    /// Like <see cref="Choose(IEnumerable{ServerCapacity},string,JobRequirements)"/>, but a retry avoids the
    /// servers its earlier attempts failed on — unless no other server could ever run it.
    /// </summary>
    public static Placement? Choose(IReadOnlyList<ServerCapacity> servers, string jobId, JobRequirements job, IReadOnlyCollection<string> avoid)
    {
        if (avoid.Count == 0) return Choose(servers, jobId, job);
        var others = servers.Where(s => !avoid.Contains(s.Server.Id)).ToList();
        // Fall back to an avoided server only when no usable other one exists (draining or unhealthy ones do not count).
        return others.Any(s => s.Healthy && !s.Draining && ContainerPlacement.Offer(s.Server, job) is not null)
            ? Choose(others, jobId, job) : Choose(servers, jobId, job);
    }

    public static Placement? Choose(IEnumerable<ServerCapacity> servers, string jobId, JobRequirements job)
    {
        Placement? best = null;
        (int NoTree, int Uncached, double Load, int Cross, string Id) bestKey = default;
        foreach (var s in servers)
        {
            if (!s.Healthy || s.Draining || s.FreeSlots <= 0) continue;
            if (ContainerPlacement.Offer(s.Server, job) is not { } offer) continue;
            var tc = offer.Toolchain;
            // a container build clones (only its workspace is mounted): no affinity for it
            var cached = job.Repository is { } repo && offer.ContainerImage is null && s.CachedRepositories?.Contains(repo) == true;
            var warm = job.Tree is { } tree && offer.ContainerImage is null && s.CachedRepositories?.Contains(Execution.SeriesTree.AffinityPrefix + tree) == true;
            var key = (warm ? 0 : 1, cached ? 0 : 1, (double)s.SlotsInUse / Math.Max(1, s.Server.MaxConcurrentJobs), tc.CrossCompile.Length > 0 ? 1 : 0, s.Server.Id);
            if (best is null || key.CompareTo(bestKey) < 0)
            {
                best = new Placement(jobId, s.Server, tc, offer.ContainerImage);
                bestKey = key;
            }
        }
        return best;
    }
}
