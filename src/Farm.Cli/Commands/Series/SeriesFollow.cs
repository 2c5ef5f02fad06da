using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Series;

namespace KernelFarm.Cli.Commands.Series;

/// <summary>Reporting an ended series.</summary>
public static class SeriesFollow
{
    /// <summary>Prints the ended series (its table, diagnostics and result); exit 0 if it passed, 1 otherwise.</summary>
    public static int Report(CliContext cli, ApiResponse final)
    {
        var report = final.Json;
        if (cli.Json) cli.Output.WriteJson(final.Body);
        else cli.Output.Out.Write(SeriesView.Show(report));
        var exit = SeriesOutcome.ExitCode(report);
        if (exit != ExitCodes.Ok) cli.Output.Note(SeriesView.Summary(report));
        return exit;
    }
}
