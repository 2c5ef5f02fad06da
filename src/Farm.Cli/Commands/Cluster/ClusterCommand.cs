using System.CommandLine;

namespace KernelFarm.Cli.Commands.Cluster;

/// <summary>`kfarm cluster …`: the Akka.NET cluster the farm runs on.</summary>
public static class ClusterCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var cluster = new Command("cluster", "Inspect and manage the farm's cluster membership");
        cluster.Subcommands.Add(ClusterShowCommand.Create(globals));
        cluster.Subcommands.Add(ClusterTailCommand.Create(globals));
        foreach (var action in ClusterMembershipCommand.Actions) cluster.Subcommands.Add(ClusterMembershipCommand.Create(globals, action));
        cluster.Subcommands.Add(ClusterShardingCommand.Create(globals));
        return cluster;
    }
}
