using System.Text.RegularExpressions;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>A bisection's own fields (POST /api/v1/bisections); its build fields go through <see cref="JobRequestValidator"/>.</summary>
public static partial class BisectionRules
{
    public const int MaxParallel = 64, MaxMatchLength = 200, MaxRefLength = 200;

    public static IReadOnlyList<ValidationError> Check(string? good, string? bad, BisectCriterion? criterion, int? maxParallel, BuildJobRequest template)
    {
        var errors = new List<ValidationError>();
        CheckEnd("good", good, errors);
        CheckEnd("bad", bad, errors);
        if (good is not null && good == bad) errors.Add(new("bad", "must differ from good"));
        if (criterion is null) errors.Add(new("criterion", "is required: {\"kind\": \"build_fails\" | \"diagnostic\" | \"boot_fails\" | \"size_grows\"}"));
        else CheckCriterion(criterion, errors);
        if (maxParallel is < 1 or > MaxParallel) errors.Add(new("max_parallel", $"must be between 1 and {MaxParallel} (or left out: the free slots)"));
        if (string.IsNullOrWhiteSpace(template.Toolchain))
            errors.Add(new("toolchain", "is required: every step of a bisection must build with the same compiler"));
        if (template.BuildConfig is { } c)
        {
            if (!string.IsNullOrEmpty(c.BuildDirectory))
                errors.Add(new("build_config.build_directory", "steps build at once, each in its own workspace: leave it out"));
            if (c.KeepWorkspace)
                errors.Add(new("build_config.keep_workspace", "a bisection's steps do not keep their workspaces: leave it out"));
        }
        return errors;
    }

    private static void CheckEnd(string field, string? value, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) { errors.Add(new(field, "is required: a commit id or a ref (branch or tag) of the repository")); return; }
        if (value.Length > MaxRefLength || !RefName().IsMatch(value) || value.Contains("..", StringComparison.Ordinal)
            || value.EndsWith(".lock", StringComparison.Ordinal) || value.EndsWith('/') || value.Contains("//", StringComparison.Ordinal))
            errors.Add(new(field, "must be a commit id (7 to 40 hex digits) or a ref name (letters, digits, . _ / -; not starting with - or ., no ..)"));
    }

    private static void CheckCriterion(BisectCriterion c, List<ValidationError> errors)
    {
        if (!Enum.IsDefined(c.Kind)) { errors.Add(new("criterion.kind", "must be build_fails, diagnostic, boot_fails or size_grows")); return; }
        if (c.Match is { } match)
        {
            if (c.Kind is CriterionKind.BootFails or CriterionKind.SizeGrows)
                errors.Add(new("criterion.match", $"applies to build_fails and diagnostic only"));
            else if (match.Length == 0 || match.Length > MaxMatchLength || match.Any(char.IsControl))
                errors.Add(new("criterion.match", $"must be 1 to {MaxMatchLength} printable characters"));
        }
        if (c.Kind == CriterionKind.SizeGrows)
        {
            if (c.ThresholdBytes is null) errors.Add(new("criterion.threshold_bytes", "is required for size_grows: how many bytes of text growth make a commit bad"));
            else if (c.ThresholdBytes < 0) errors.Add(new("criterion.threshold_bytes", "must not be negative"));
        }
        else if (c.ThresholdBytes is not null) errors.Add(new("criterion.threshold_bytes", "applies to size_grows only"));
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._/-]*$")]
    private static partial Regex RefName();
}
