using System.CommandLine;
using KernelFarm.Cli.Cluster;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Cluster;

public static class ClusterShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("show", "Members, leader and where the singletons run (GET /api/v1/cluster)");
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Cluster, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(ClusterView.Show(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
