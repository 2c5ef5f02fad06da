using System.CommandLine;
using KernelFarm.Cli.Cluster;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Cluster;

public static class ClusterShardingCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("sharding", "Build-job shards and entities per region (GET /api/v1/cluster/sharding)");
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Sharding, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(ClusterView.Sharding(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
