using System.CommandLine;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Servers;

public static class ServerRemoveCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = ServersCommand.IdArgument();
        var command = new Command("remove", "Unregister a build server (refused while it runs jobs: drain it first)") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.DeleteAsync(ApiPaths.Server(cli.Value(id)), ct);
            if (cli.Json) { if (response.Body.Length > 0) cli.Output.WriteJson(response.Body); }
            else cli.Output.Out.WriteLine($"build server {cli.Value(id)} removed");
            return ExitCodes.Ok;
        });
        return command;
    }
}
