using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Bisect;

/// <summary>Reporting an ended bisection.</summary>
public static class BisectFollow
{
    /// <summary>Prints the ended bisection (as `bisect show`); exit 0 if it found the first bad commit, 1 otherwise.</summary>
    public static int Report(CliContext cli, ApiResponse final)
    {
        var view = final.Json;
        if (cli.Json) cli.Output.WriteJson(final.Body);
        else cli.Output.Out.Write(BisectionView.Show(view));
        var exit = BisectionOutcome.ExitCode(view);
        if (exit != ExitCodes.Ok) cli.Output.Note(BisectionView.Summary(view));
        return exit;
    }
}
