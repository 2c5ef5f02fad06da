using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;

namespace KernelFarm.Cli.Commands.Plans;

public static class PlanCancelCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = PlansCommand.IdArgument();
        var command = new Command("cancel", "Cancel a plan: its builds not yet ended are cancelled (409 if it already ended)") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync(ApiPaths.PlanCancel(cli.Value(id)), null, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.WriteLine($"plan {cli.Value(id)} cancel requested ({PlanView.Counts(response.Json)})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
