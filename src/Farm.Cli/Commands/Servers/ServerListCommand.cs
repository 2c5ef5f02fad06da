using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Servers;

namespace KernelFarm.Cli.Commands.Servers;

public static class ServerListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("list", "List build servers: address, architectures, toolchains, slots, health, draining");
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Servers, ct);
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var servers = Json.Array(response.Json, "servers");
            cli.Output.Out.Write(servers.Count == 0 ? "no build servers registered\n" : ServerView.List(servers));
            return ExitCodes.Ok;
        });
        return command;
    }
}
