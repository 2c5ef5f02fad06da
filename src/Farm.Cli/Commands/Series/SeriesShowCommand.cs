using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Series;

namespace KernelFarm.Cli.Commands.Series;

/// <summary>`series show ID`: the per-patch table and diagnostics; --text the farm's plain-text summary as it wrote it.</summary>
public static class SeriesShowCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = SeriesCommand.IdArgument();
        var text = new Option<bool>("--text") { Description = "Print the farm's plain-text summary (to paste into a reply) as it is; --json does not change it" };
        var command = new Command("show", "Show a series: a row per step, then the warnings and errors each patch added or fixed") { id, text };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            if (cli.Value(text))
            {
                var summary = await cli.Client.GetAsync(ApiPaths.SeriesReportText(cli.Value(id)), ct);
                cli.Output.Out.Write(summary.Body);
                return ExitCodes.Ok;
            }
            var response = await cli.Client.GetAsync(ApiPaths.SeriesReport(cli.Value(id)), ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else cli.Output.Out.Write(SeriesView.Show(response.Json));
            return ExitCodes.Ok;
        });
        return command;
    }
}
