namespace KernelFarm.Messages.Jobs;

/// <summary>One published file, relative to the job's storage folder.</summary>
public sealed record ArtifactEntry(string Path, long Size, string Sha256);
