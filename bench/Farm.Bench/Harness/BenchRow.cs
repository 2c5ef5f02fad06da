using System.Globalization;

namespace KernelFarm.Bench.Harness;

/// <summary>What a figure must reach: at least or at most a threshold, in the figure's unit.</summary>
public sealed record Target(bool AtLeast, double Threshold, string Text)
{
    public static Target Min(double threshold, string text) => new(true, threshold, text);
    public static Target Max(double threshold, string text) => new(false, threshold, text);
    public bool MetBy(double value) => AtLeast ? value >= Threshold : value <= Threshold;
}

/// <summary>
/// One line of the table: a figure, its baseline from the same run (what it is compared with is
/// named in <see cref="BaselineLabel"/>), the ratio of the two, and the target if the issue sets one.
/// </summary>
public sealed record BenchRow(string Scenario, string Measure, double Value, string Unit)
{
    public double? Baseline { get; init; }
    public string? BaselineLabel { get; init; }
    public Target? Target { get; init; }
    /// <summary>How the figure was obtained, and why a target was missed.</summary>
    public string? Note { get; init; }

    public double? Ratio => Baseline is { } b && b != 0 ? Value / b : null;
    public bool? Met => Target?.MetBy(Value);

    public static string Format(double value, string unit) => unit switch
    {
        "/s" => value.ToString(value >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture) + "/s",
        "ms" => value.ToString(value >= 100 ? "N0" : value >= 10 ? "N1" : value >= 1 ? "N2" : "N3", CultureInfo.InvariantCulture) + " ms",
        "MiB" => value.ToString("N1", CultureInfo.InvariantCulture) + " MiB",
        _ => value.ToString("G4", CultureInfo.InvariantCulture) + (unit.Length > 0 ? " " + unit : ""),
    };
}
