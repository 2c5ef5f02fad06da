using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;

namespace KernelFarm.Cli.Commands.Plans;

public static class PlanShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = PlansCommand.IdArgument();
        var command = new Command("show", "Show a plan: its matrix, counts, result and every build with its job") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Plan(cli.Value(id)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(PlanView.Show(response.Json, StatusLine.ConsoleWidth()));
            return ExitCodes.Ok;
        });
        return command;
    }
}
