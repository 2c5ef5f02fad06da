using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Bisections;

/// <summary>
/// A bisection as accepted: every step builds <see cref="Template"/> (repository, branch, architecture,
/// toolchain, build_config) at one commit of the first-parent range good..bad.
/// </summary>
public sealed record BisectionRequest
{
    public BuildJobRequest Template { get; init; } = new();
    /// <summary>As the submitter wrote them: commit ids or refs of the repository.</summary>
    public string Good { get; init; } = "";
    public string Bad { get; init; } = "";
    public BisectCriterion Criterion { get; init; } = new();
    /// <summary>Builds at once; null: the eligible servers' free slots at each round.</summary>
    public int? MaxParallel { get; init; }
}
