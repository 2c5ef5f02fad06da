using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>`jobs logs &lt;id&gt; [-f]`: the build log as text (it is not JSON, so --json does not change it).</summary>
public static class JobLogsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the job ends" };
        var command = new Command("logs", "Print a job's build log") { id, follow };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var jobId = cli.Value(id);
            if (!cli.Value(follow))
            {
                var bytes = await cli.Client.GetBytesAsync(ApiPaths.JobLog(jobId), ct);
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(bytes, ct); // as stored: byte for byte
                return ExitCodes.Ok;
            }
            var writer = cli.Output.Out;
            try
            {
                var status = await new LogFollower(cli.Client, jobId, async text => { await writer.WriteAsync(text); await writer.FlushAsync(ct); })
                    .RunAsync(ct);
                if (status is not null) await cli.Output.Err.WriteLineAsync($"job {jobId} {status}");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C stops following; the job goes on
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
