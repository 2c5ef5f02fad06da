using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;

namespace KernelFarm.Cli.Commands.Plans;

/// <summary>Reporting an ended plan.</summary>
public static class PlanFollow
{
    /// <summary>Prints the ended plan (its matrix, counts and result); exit 0 if it passed, 1 otherwise.</summary>
    public static int Report(CliContext cli, ApiResponse final, int width)
    {
        var plan = final.Json;
        if (cli.Json) cli.Output.WriteJson(final.Body);
        else cli.Output.Out.Write(PlanView.MatrixAndSummary(plan, width));
        var exit = PlanOutcome.ExitCode(plan);
        if (exit != ExitCodes.Ok) cli.Output.Note($"plan {Json.Str(plan, "id")} {Json.Str(plan, "result") ?? Json.Str(plan, "state")}: {PlanView.Counts(plan)}");
        return exit;
    }
}
