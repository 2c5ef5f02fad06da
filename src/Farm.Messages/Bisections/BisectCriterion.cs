namespace KernelFarm.Messages.Bisections;

/// <summary>What makes a commit bad (docs/bisection.md). Added last: journals name kinds as strings.</summary>
public enum CriterionKind
{
    /// <summary>The build fails (with <see cref="BisectCriterion.Match"/>: with an error line containing it; another failure is a skip).</summary>
    BuildFails,
    /// <summary>A warning or error containing <see cref="BisectCriterion.Match"/> appears; without it, any diagnostic the good commit does not have.</summary>
    Diagnostic,
    /// <summary>The built kernel does not boot (the job's boot test fails).</summary>
    BootFails,
    /// <summary>vmlinux's text grows past the good commit's by more than <see cref="BisectCriterion.ThresholdBytes"/>.</summary>
    SizeGrows,
}

public sealed record BisectCriterion
{
    public CriterionKind Kind { get; init; }
    /// <summary>Text a diagnostic line must contain (build_fails, diagnostic); null: any.</summary>
    public string? Match { get; init; }
    /// <summary>size_grows: how many bytes of text growth over the good commit make a commit bad.</summary>
    public long? ThresholdBytes { get; init; }
}
