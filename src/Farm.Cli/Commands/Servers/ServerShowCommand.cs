using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Servers;

namespace KernelFarm.Cli.Commands.Servers;

public static class ServerShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = ServersCommand.IdArgument();
        var command = new Command("show", "Show one build server with its health and running jobs") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Server(cli.Value(id)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(ServerView.Show(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
