using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

public static class JobRetryCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var command = new Command("retry", "Submit an ended job's request again as a new job") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.PostAsync($"{ApiPaths.Job(cli.Value(id))}/retry", null, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.WriteLine($"job {Json.Str(response.Json, "id")} {Json.Str(response.Json, "status") ?? "submitted"} (retry of {cli.Value(id)})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
