namespace KernelFarm.Messages.Jobs;

/// <summary>
/// A patch series to build patch by patch on top of the job's commit (docs/series.md): the patches
/// as an mbox, or a range BASE..HEAD of the job's repository. Each patch is applied with
/// <c>git am -3</c> and built incrementally in the same tree.
/// </summary>
public sealed record SeriesRequest
{
    /// <summary>What <c>git format-patch --stdout</c> or <c>b4 am</c> writes; null when <see cref="Range"/> names the patches.</summary>
    public string? Mbox { get; init; }
    /// <summary>"BASE..HEAD", two full commit ids of the repository (BASE is the job's commit); null for an mbox.</summary>
    public string? Range { get; init; }
    /// <summary>Build the next patch after one that failed to build (a later patch may fix it); otherwise the rest are skipped.</summary>
    public bool ContinueOnFailure { get; init; }
    /// <summary>Keep every built step's artifacts (series/NNN/artifacts/), not only the last step's.</summary>
    public bool StepArtifacts { get; init; }
}
