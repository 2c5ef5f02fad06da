using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Bisect;

/// <summary>When a bisection has ended and what kfarm exits with for it.</summary>
public static class BisectionOutcome
{
    /// <summary>Its state is ended (listing, checking_ends and bisecting are not).</summary>
    public static bool HasEnded(JsonNode? view) => Json.Str(view, "state") == "ended";

    /// <summary>It ended with the first bad commit.</summary>
    public static bool Found(JsonNode? view) => HasEnded(view) && Json.Str(view, "result") == "found";

    /// <summary>
    /// 0 only when the first bad commit was found; for ambiguous, ends_wrong, failed or cancelled (or
    /// a bisection not ended) the code a failed job gets from `jobs submit --wait`.
    /// </summary>
    public static int ExitCode(JsonNode? view) => Found(view) ? ExitCodes.Ok : ExitCodes.Failure;
}
