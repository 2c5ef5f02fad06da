using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Plans;

/// <summary>
/// One build of a plan: where it is in the plan file, what the author asked for (TuxSuite's names),
/// and either the job that runs it (<see cref="JobId"/> with its <see cref="Request"/>) or why no
/// server can (<see cref="Unsupported"/>).
/// </summary>
public sealed record PlanBuild
{
    public int Index { get; init; }
    /// <summary>jobs[0].builds[17]</summary>
    public string Path { get; init; } = "";
    /// <summary>The plan job's name (a group of builds).</summary>
    public string Group { get; init; } = "";
    public string Name { get; init; } = "";
    /// <summary>As the plan wrote them: target_arch, toolchain, kconfig.</summary>
    public string TargetArch { get; init; } = "";
    public string Toolchain { get; init; } = "";
    public IReadOnlyList<string> Kconfig { get; init; } = [];
    public string? JobId { get; init; }
    public BuildJobRequest? Request { get; init; }
    public string? Unsupported { get; init; }
}
