using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>A job's published files (relative paths, sizes, sha256) and where they are stored.</summary>
public sealed record ArtifactList(string JobId, JobStatus Status, string? Directory, IReadOnlyList<ArtifactEntry> Artifacts);
