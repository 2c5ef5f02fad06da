using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Series;

/// <summary>When a series has ended and what kfarm exits with for it.</summary>
public static class SeriesOutcome
{
    /// <summary>Its result is passed, failed or cancelled (running until the last step has ended).</summary>
    public static bool HasEnded(JsonNode? report) => Json.Str(report, "result") is { } result && result != "running";

    public static bool Passed(JsonNode? report) => Json.Str(report, "result") == "passed";

    /// <summary>
    /// 0 only when the series passed (every step applied and built); for a series that failed or was
    /// cancelled, the code a failed job gets from `jobs submit --wait`.
    /// </summary>
    public static int ExitCode(JsonNode? report) => Passed(report) ? ExitCodes.Ok : ExitCodes.Failure;
}
