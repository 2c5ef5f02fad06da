using System.CommandLine;

namespace KernelFarm.Cli.Commands.Servers;

/// <summary>`kfarm servers …`: the build servers (POST/GET/DELETE /api/v1/infrastructure/build-servers).</summary>
public static class ServersCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var servers = new Command("servers", "Register, inspect, drain and remove build servers");
        servers.Subcommands.Add(ServerAddCommand.Create(globals));
        servers.Subcommands.Add(ServerListCommand.Create(globals));
        servers.Subcommands.Add(ServerShowCommand.Create(globals));
        servers.Subcommands.Add(ServerDrainCommand.Create(globals, drain: true));
        servers.Subcommands.Add(ServerDrainCommand.Create(globals, drain: false));
        servers.Subcommands.Add(ServerRemoveCommand.Create(globals));
        servers.Subcommands.Add(ServerProbeCommand.Create(globals));
        return servers;
    }

    public static Argument<string> IdArgument() => new("id") { Description = "Build server id" };
}
