namespace KernelFarm.Actors;

/// <summary>
/// Per-job caps on what a job may put into central storage ("Farm:Limits", env Farm__Limits__X).
/// Past a cap the job fails with kind "limit"; see docs/storage-limits.md.
/// </summary>
public sealed class FarmLimits
{
    /// <summary>The central build log of one job (all attempts together); past it the log is cut and the build stopped.</summary>
    public long MaxLogBytes { get; set; } = 256L * 1024 * 1024;
    /// <summary>The artifacts of one job together, as the remote manifest declares them (checked before anything is downloaded).</summary>
    public long MaxArtifactBytes { get; set; } = 8L * 1024 * 1024 * 1024;
    /// <summary>Files in one job's manifest: bounds the manifest read into memory and the artifact list kept in the journal.</summary>
    public int MaxArtifactFiles { get; set; } = 20_000;
}
