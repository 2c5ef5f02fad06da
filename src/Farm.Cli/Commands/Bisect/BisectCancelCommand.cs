using System.CommandLine;
using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Bisect;

/// <summary>`bisect cancel ID`: its running builds are cancelled and no more are queued.</summary>
public static class BisectCancelCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = BisectCommand.IdArgument();
        var command = new Command("cancel", "Cancel a bisection: its running builds are cancelled, no more are queued (exit 5 once it has ended)") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync(ApiPaths.BisectionCancel(cli.Value(id)), null, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.WriteLine(BisectionView.Summary(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
