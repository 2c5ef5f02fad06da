using System.CommandLine;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Cluster;

/// <summary>`cluster leave|down|join &lt;address&gt;`: POST /api/v1/cluster/{action} with the member's address.</summary>
public static class ClusterMembershipCommand
{
    public static readonly IReadOnlyList<(string Name, string Description)> Actions =
    [
        ("leave", "Ask a member to leave the cluster gracefully (hands over its singletons and shards)"),
        ("down", "Mark an unreachable member as down so the cluster moves on without it"),
        ("join", "Make this node join the cluster at the given seed address"),
    ];

    public static Command Create(GlobalOptions globals, (string Name, string Description) action)
    {
        var address = new Argument<string>("address") { Description = "Member address, e.g. akka.ssl.tcp://kernelfarm@10.0.0.5:4051" };
        var command = new Command(action.Name, action.Description) { address };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var target = cli.Value(address).Trim();
            if (target.Length == 0) throw CliException.Usage("the address is empty");
            var response = await cli.Client.PostAsync(ApiPaths.ClusterAction(action.Name), new JsonObject { ["address"] = target }, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.WriteLine($"{action.Name} requested for {Json.Str(response.Json, "address") ?? target}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
