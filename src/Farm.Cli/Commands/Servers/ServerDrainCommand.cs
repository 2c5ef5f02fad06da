using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Servers;

/// <summary>`servers drain|undrain &lt;id&gt;`: a draining server gets no new jobs; its running ones finish.</summary>
public static class ServerDrainCommand
{
    public static Command Create(GlobalOptions globals, bool drain)
    {
        var id = ServersCommand.IdArgument();
        var command = new Command(drain ? "drain" : "undrain",
            drain ? "Stop placing new jobs on a server (running jobs finish)" : "Place jobs on a drained server again") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync($"{ApiPaths.Server(cli.Value(id))}/{(drain ? "drain" : "undrain")}", null, ct);
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var server = response.Json;
            var running = Json.Strings(server, "running_jobs").Count;
            cli.Output.Out.WriteLine(drain
                ? $"build server {Json.Str(server, "id")} is draining: no new jobs; {running} running job{(running == 1 ? "" : "s")} will finish"
                : $"build server {Json.Str(server, "id")} takes jobs again");
            return ExitCodes.Ok;
        });
        return command;
    }
}
