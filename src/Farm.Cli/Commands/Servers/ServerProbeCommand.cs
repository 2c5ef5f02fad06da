using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Servers;

namespace KernelFarm.Cli.Commands.Servers;

public static class ServerProbeCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = ServersCommand.IdArgument();
        var command = new Command("probe", "Probe a server over SSH now and show its fresh health") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync($"{ApiPaths.Server(cli.Value(id))}/probe", null, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(ServerView.Show(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
