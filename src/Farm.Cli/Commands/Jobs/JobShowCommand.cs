using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;

namespace KernelFarm.Cli.Commands.Jobs;

public static class JobShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var command = new Command("show", "Show a job: request, state, transitions, attempts, failure, artifacts") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Job(cli.Value(id)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(JobView.Show(response.Json, DateTimeOffset.UtcNow));
            return ExitCodes.Ok;
        });
        return command;
    }
}
