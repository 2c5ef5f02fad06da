namespace KernelFarm.Actors.Plans;

/// <summary>
/// A TuxSuite plan file (version 1) as its author wrote it: the jobs, each a group of builds.
/// Values are kept as written; <see cref="PlanTranslator"/> decides what the farm makes of them.
/// </summary>
public sealed record TuxPlan(string? Name, string? Description, IReadOnlyList<TuxPlanJob> Jobs)
{
    /// <summary>Every build of every job, in file order.</summary>
    public IEnumerable<TuxPlanBuild> Builds => Jobs.SelectMany(j => j.Builds);
}

/// <summary>One entry of <c>jobs</c>: a name and its builds; <paramref name="Tests"/> when it asks for tests (sanity_test, test or tests).</summary>
public sealed record TuxPlanJob(string? Name, IReadOnlyList<TuxPlanBuild> Builds, bool Tests);

/// <summary>
/// One build as TuxSuite/TuxMake name its fields. <paramref name="Path"/> is where it is in the file
/// (<c>jobs[0].builds[17]</c>): every message about it names that path.
/// </summary>
public sealed record TuxPlanBuild
{
    public required string Path { get; init; }
    public required string JobName { get; init; }
    public string? BuildName { get; init; }
    public required string TargetArch { get; init; }
    public required string Toolchain { get; init; }
    /// <summary>The base config, then the fragments (CONFIG_ lines, in-tree paths, URLs); empty: defconfig.</summary>
    public IReadOnlyList<string> Kconfig { get; init; } = [];
    /// <summary>Null when not given (TuxMake's default set).</summary>
    public IReadOnlyList<string>? Targets { get; init; }
    public IReadOnlyDictionary<string, string> MakeVariables { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? KernelImage { get; init; }
    /// <summary>The job asks for tests: the farm's boot test where the architecture has one.</summary>
    public bool Tests { get; init; }
}
