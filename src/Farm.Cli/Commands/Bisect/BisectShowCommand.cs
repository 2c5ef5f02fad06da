using System.CommandLine;
using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Bisect;

/// <summary>`bisect show ID`: the outcome, the first bad commit, the window and a row per step.</summary>
public static class BisectShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = BisectCommand.IdArgument();
        var command = new Command("show", "Show a bisection: its state or result, the first bad commit with the log lines that show it, the window, and every step") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Bisection(cli.Value(id)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(BisectionView.Show(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
