using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>Waiting for a job's end (with its log streamed, or a progress display) and reporting it.</summary>
public static class JobFollow
{
    public static async Task<ApiResponse> UntilEndAsync(CliContext cli, string id, bool streamLog, CancellationToken ct)
    {
        if (streamLog)
        {
            // the log is the progress display; with --json it goes to stderr so stdout stays JSON
            var writer = cli.Output.Progress;
            await new LogFollower(cli.Client, id, async text => { await writer.WriteAsync(text); await writer.FlushAsync(ct); }).RunAsync(ct);
            return await new JobWaiter(cli.Client, id, progress: null).WaitAsync(ct);
        }
        var progress = new WaitProgress(cli.Output.Progress, cli.Output.ProgressIsTerminal, StatusLine.ConsoleWidth);
        return await new JobWaiter(cli.Client, id, progress).WaitAsync(ct);
    }

    /// <summary>Prints the ended job; exit 0 if it completed, 1 otherwise.</summary>
    public static int Report(CliContext cli, ApiResponse final)
    {
        var job = final.Json;
        var status = Json.Str(job, "status");
        if (cli.Json) cli.Output.WriteJson(final.Body);
        else cli.Output.Out.WriteLine(JobView.Summary(job, DateTimeOffset.UtcNow));
        if (status == "completed") return ExitCodes.Ok;
        cli.Output.Note($"job {Json.Str(job, "id")} {status}");
        return ExitCodes.Failure;
    }
}
