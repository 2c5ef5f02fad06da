using System.CommandLine;
using KernelFarm.Cli.Cluster;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Cluster;

/// <summary>`kfarm actors [--depth N]`: the node's actor hierarchy.</summary>
public static class ActorsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var depth = IntOption.Create("--depth", "How many levels of the tree to show (1-20; the farm defaults to 3)", "N");
        depth.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 20) r.AddError("--depth must be between 1 and 20");
        });
        var command = new Command("actors", "Show the actor tree of the node (GET /api/v1/cluster/actors)") { depth };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Actors(cli.Value(depth)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(ActorTree.Render(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
