namespace KernelFarm.Bench.Harness;

/// <summary>
/// One benchmark scenario (one class each): measures its figures and pairs each with a baseline
/// measured in the same run on the same machine, so every row is a ratio or a comparison.
/// </summary>
public interface IScenario
{
    /// <summary>The name given on the command line (bench/run.sh NAME).</summary>
    string Name { get; }

    /// <summary>One line: what it measures and against what.</summary>
    string Description { get; }

    Task<IReadOnlyList<BenchRow>> RunAsync(BenchContext context, CancellationToken ct);
}
