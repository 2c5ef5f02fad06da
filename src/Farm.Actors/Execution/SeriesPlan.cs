using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>What the script needs of a series: where its patches come from and whether a failed build stops it.</summary>
/// <param name="Tree">Where the server keeps the built tree for the next series of the same kind (<see cref="SeriesTree"/>); null: none kept.</param>
/// <param name="StepArtifacts">Collect each built step's artifacts into its folder.</param>
public sealed record SeriesPlan(bool ContinueOnFailure, SeriesPlan.CommitRange? Range, string? Tree = null, bool StepArtifacts = false)
{
    public sealed record CommitRange(string Base, string Head);

    public static SeriesPlan From(BuildJobRequest request, string cacheRoot)
    {
        var series = request.Series ?? throw new ArgumentException("not a series", nameof(request));
        return new(series.ContinueOnFailure,
            string.IsNullOrEmpty(series.Range) ? null : SeriesRules.ParseRange(series.Range) is var (b, h) ? new CommitRange(b, h) : null,
            SeriesTree.PathFor(cacheRoot, SeriesTree.Key(request)!), series.StepArtifacts);
    }
}
