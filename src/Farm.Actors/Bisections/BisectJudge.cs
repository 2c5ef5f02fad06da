using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// A step's verdict from its job's facts and the criterion (docs/bisection.md "Verdicts"): bad when the
/// criterion holds, good when it does not, skip when the commit cannot be judged (its build failed for
/// another reason, the farm failed it, it was cancelled), as <c>git bisect run</c>'s exit code 125.
/// </summary>
public static class BisectJudge
{
    public const int MaxExcerptLines = 20;

    public sealed record Judgement(Verdict Verdict, string Detail, IReadOnlyList<string> Excerpt);

    /// <param name="baseline">The good commit's facts: needed by "any new diagnostic" and "size grows"; null: not known yet.</param>
    /// <returns>Null when the verdict needs the baseline and it is not known yet.</returns>
    public static Judgement? Judge(BisectCriterion criterion, StepFacts facts, StepFacts? baseline)
    {
        if (facts.Status == JobStatus.Cancelled) return new(Verdict.Skip, "its job was cancelled", []);
        if (facts.Status != JobStatus.Completed && facts.Status != JobStatus.Failed) return null;
        var failure = facts.Failure;
        if (facts.Status == JobStatus.Failed && failure is not { Kind: FailureKind.Build })
            return new(Verdict.Skip, $"the farm could not build it ({Kind(failure)}): {failure?.Message}", failure is null ? [] : [failure.Message]);
        var buildFailed = facts.Status == JobStatus.Failed;
        var errors = facts.Diagnostics.Where(d => d.Severity == "error").Select(StepFacts.Render).ToList();
        var failureLines = Cap(errors.Count > 0 ? errors : facts.LogTail);
        var otherFailure = new Judgement(Verdict.Skip, $"the build failed for another reason (while {failure?.Step})", failureLines);

        switch (criterion.Kind)
        {
            case CriterionKind.BuildFails:
                if (!buildFailed) return new(Verdict.Good, "the build passed", []);
                if (criterion.Match is not { Length: > 0 } match) return new(Verdict.Bad, $"the build failed (while {failure?.Step})", failureLines);
                var matching = errors.Where(e => e.Contains(match, StringComparison.Ordinal)).ToList();
                return matching.Count > 0
                    ? new(Verdict.Bad, $"the build failed with an error containing \"{match}\"", Cap(matching))
                    : otherFailure;

            case CriterionKind.Diagnostic:
                if (criterion.Match is { Length: > 0 } text)
                {
                    var hits = facts.Diagnostics.Select(StepFacts.Render).Where(d => d.Contains(text, StringComparison.Ordinal)).ToList();
                    if (hits.Count > 0) return new(Verdict.Bad, $"{Count(hits.Count, "diagnostic")} containing \"{text}\"", Cap(hits));
                    return buildFailed ? otherFailure : new(Verdict.Good, $"no diagnostic contains \"{text}\"", []);
                }
                if (baseline is null) return null;
                var known = baseline.Diagnostics.Select(d => d.Key).ToHashSet();
                var added = facts.Diagnostics.Where(d => !known.Contains(d.Key)).Select(StepFacts.Render).Distinct().ToList();
                if (added.Count > 0) return new(Verdict.Bad, $"{Count(added.Count, "new diagnostic")} (not in the good commit's build)", Cap(added));
                return buildFailed ? otherFailure : new(Verdict.Good, "no diagnostic the good commit's build does not have", []);

            case CriterionKind.BootFails:
                if (buildFailed) return otherFailure with { Detail = "the build failed: there is no kernel to boot" };
                return facts.Boot switch
                {
                    { Status: BootStatus.Fail } b => new(Verdict.Bad, $"the boot test failed: {b.Reason}", b.Reason is null ? [] : [b.Reason]),
                    { Status: BootStatus.Pass } => new(Verdict.Good, "the kernel booted", []),
                    _ => new(Verdict.Skip, "the job has no boot result", []),
                };

            case CriterionKind.SizeGrows:
                if (buildFailed) return otherFailure;
                if (facts.TextSize is not { } size) return new(Verdict.Skip, "the build left no vmlinux text size", []);
                if (baseline is null) return null;
                if (baseline.TextSize is not { } before) return new(Verdict.Skip, "the good commit's build left no vmlinux text size", []);
                var growth = size - before;
                var threshold = criterion.ThresholdBytes ?? 0;
                var line = $"vmlinux text: {before} -> {size} bytes ({(growth >= 0 ? "+" : "")}{growth}; threshold {threshold})";
                return growth > threshold
                    ? new(Verdict.Bad, $"vmlinux text grew by {growth} bytes, more than {threshold}", [line])
                    : new(Verdict.Good, $"vmlinux text grew by {growth} bytes, not more than {threshold}", [line]);

            default:
                throw new ArgumentOutOfRangeException(nameof(criterion), criterion.Kind, "unknown criterion");
        }
    }

    private static string Kind(JobFailure? f) => f?.Kind.ToString().ToLowerInvariant() ?? "no failure recorded";

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    private static IReadOnlyList<string> Cap(IEnumerable<string> lines) => lines.Take(MaxExcerptLines).Select(l => l.Length > 400 ? l[..400] : l).ToList();
}
