using System.CommandLine;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands;

/// <summary>
/// Runs a command's body with a <see cref="CliContext"/> and turns what it throws into kfarm's
/// error line (<c>kfarm: message</c> on stderr) and exit code.
/// </summary>
public static class Handler
{
    public delegate Task<int> Body(CliContext cli, CancellationToken ct);

    public static void Set(Command command, GlobalOptions globals, Body body) =>
        command.SetAction((parse, ct) => RunAsync(globals, parse, body, ct));

    public static async Task<int> RunAsync(GlobalOptions globals, ParseResult parse, Body body, CancellationToken ct)
    {
        var output = Output.CliOutput.ForConsole(parse.GetValue(globals.Json));
        using var cli = new CliContext(globals, parse, output);
        try
        {
            return await body(cli, ct);
        }
        catch (FarmApiException e) when (e.Status == 401 && cli.Config.Token is null)
        {
            output.Note($"{e.Message} (no token configured: use --token, KFARM_TOKEN or the config file)");
            return e.ExitCode;
        }
        catch (CliException e)
        {
            output.Note(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            output.Note("interrupted");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Note(e.Message);
            return ExitCodes.Failure;
        }
    }
}
