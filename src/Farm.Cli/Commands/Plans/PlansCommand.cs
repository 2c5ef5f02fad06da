using System.CommandLine;

namespace KernelFarm.Cli.Commands.Plans;

/// <summary>`kfarm plans …` (or `kfarm plan …`): TuxSuite plans as build matrices (/api/v1/plans, docs/plans.md).</summary>
public static class PlansCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var plans = new Command("plans", "Submit TuxSuite plan files as build matrices; follow, inspect, list and cancel plans");
        plans.Aliases.Add("plan");
        plans.Subcommands.Add(PlanSubmitCommand.Create(globals));
        plans.Subcommands.Add(PlanListCommand.Create(globals));
        plans.Subcommands.Add(PlanShowCommand.Create(globals));
        plans.Subcommands.Add(PlanCancelCommand.Create(globals));
        return plans;
    }

    public static Argument<string> IdArgument() => new("id") { Description = "Plan id" };
}
