using System.CommandLine;

namespace KernelFarm.Cli.Commands.Series;

/// <summary>`kfarm series …`: patch series, each patch built incrementally on the last (/api/v1/series).</summary>
public static class SeriesCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var series = new Command("series", "Submit a patch series (mbox or commit range) and see what each patch changed: warnings, errors, size, config, boot");
        series.Subcommands.Add(SeriesSubmitCommand.Create(globals));
        series.Subcommands.Add(SeriesShowCommand.Create(globals));
        return series;
    }

    public static Argument<string> IdArgument() => new("id") { Description = "Series id (a job id: kfarm jobs logs|artifacts|cancel take it too)" };
}
