using System.CommandLine;

namespace KernelFarm.Cli.Commands.Bisect;

/// <summary>`kfarm bisect …`: find the first bad commit between a good and a bad one (/api/v1/bisections).</summary>
public static class BisectCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var bisect = new Command("bisect", "Find the first commit that fails a criterion (the build fails, a diagnostic, the boot, the size) between a good and a bad commit");
        bisect.Subcommands.Add(BisectStartCommand.Create(globals));
        bisect.Subcommands.Add(BisectShowCommand.Create(globals));
        bisect.Subcommands.Add(BisectCancelCommand.Create(globals));
        return bisect;
    }

    public static Argument<string> IdArgument() => new("id") { Description = "Bisection id (as `bisect start` printed it)" };
}
