using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

public static class JobCancelCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var command = new Command("cancel", "Cancel a job: its build is stopped and its workspace removed (409 if it already ended)") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync($"{ApiPaths.Job(cli.Value(id))}/cancel", null, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.WriteLine($"job {cli.Value(id)} cancel requested (status {Json.Str(response.Json, "status") ?? "?"})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
