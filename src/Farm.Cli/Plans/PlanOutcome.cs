using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Plans;

/// <summary>When a plan has ended and what kfarm exits with for it.</summary>
public static class PlanOutcome
{
    public static bool HasEnded(JsonNode? plan) => Json.Str(plan, "state") == "ended";

    public static bool Passed(JsonNode? plan) => Json.Str(plan, "result") == "pass";

    /// <summary>
    /// 0 only when the plan passed (every supported build completed); otherwise the code a failed
    /// job gets from `jobs submit --wait`.
    /// </summary>
    public static int ExitCode(JsonNode? plan) => Passed(plan) ? ExitCodes.Ok : ExitCodes.Failure;
}
