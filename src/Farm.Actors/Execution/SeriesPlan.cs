using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>What the script needs of a series: where its patches come from and whether a failed build stops it.</summary>
public sealed record SeriesPlan(bool ContinueOnFailure, SeriesPlan.CommitRange? Range)
{
    public sealed record CommitRange(string Base, string Head);

    public static SeriesPlan From(SeriesRequest series) => new(series.ContinueOnFailure,
        string.IsNullOrEmpty(series.Range) ? null : SeriesRules.ParseRange(series.Range) is var (b, h) ? new CommitRange(b, h) : null);
}
