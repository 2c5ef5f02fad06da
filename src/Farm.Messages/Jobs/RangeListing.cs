namespace KernelFarm.Messages.Jobs;

/// <summary>
/// Set by the farm for a bisection's first step (docs/bisection.md): the job builds nothing; it resolves
/// <see cref="Good"/> and <see cref="Bad"/> (commit ids or refs) in the repository and lists the
/// first-parent range good..bad into its artifact <c>bisect/range.tsv</c>. Refused from a client.
/// </summary>
public sealed record RangeListing
{
    public string Good { get; init; } = "";
    public string Bad { get; init; } = "";
    /// <summary>The longest range listed; a longer one fails the job with that answer.</summary>
    public int MaxCommits { get; init; } = 10_000;
}
