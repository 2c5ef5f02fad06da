using System.CommandLine;
using KernelFarm.Cli.Commands.Bisect;
using KernelFarm.Cli.Commands.Cluster;
using KernelFarm.Cli.Commands.Jobs;
using KernelFarm.Cli.Commands.Plans;
using KernelFarm.Cli.Commands.Series;
using KernelFarm.Cli.Commands.Servers;

namespace KernelFarm.Cli.Commands;

/// <summary>The kfarm command line: parse, report usage errors (exit 2), run the chosen command.</summary>
public static class KfarmCli
{
    public static RootCommand Create()
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("kfarm: command-line client of the KernelFarm build farm");
        globals.AddTo(root);
        root.Subcommands.Add(ClusterCommand.Create(globals));
        root.Subcommands.Add(ActorsCommand.Create(globals));
        root.Subcommands.Add(ServersCommand.Create(globals));
        root.Subcommands.Add(JobsCommand.Create(globals));
        root.Subcommands.Add(PlansCommand.Create(globals));
        root.Subcommands.Add(SeriesCommand.Create(globals));
        root.Subcommands.Add(BisectCommand.Create(globals));
        root.Subcommands.Add(CatalogCommand.Create(globals));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await Console.Error.WriteLineAsync($"kfarm: {OneLine(error.Message)}");
            await Console.Error.WriteLineAsync($"Try '{CommandLine(parse)} --help'.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>"kfarm jobs artifacts get": the command the line got as far as.</summary>
    private static string CommandLine(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        names[0] = "kfarm";
        return string.Join(' ', names);
    }
}
