using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Series;

namespace KernelFarm.Cli.Commands.Series;

/// <summary>
/// `series submit`: a patch series (an mbox, or a range of the repository) on a base, with the build
/// flags of `jobs submit`; with --wait it follows the series to its end and prints what each patch changed.
/// </summary>
public static class SeriesSubmitCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var b = new BuildOptions(globals,
            fileDescription: "series.json (or .yaml) with the API's request fields, mbox or range included (flags override)",
            commitDescription: "The base commit (default: the branch tip; with --range its BASE)");
        var mbox = new Option<string?>("--mbox") { Description = "The patches as git format-patch --stdout writes them (- reads stdin; at most 512 KiB)", HelpName = "FILE" };
        var range = new Option<string?>("--range") { Description = "The patches as commits of the repository: two full commit ids, reachable from --branch", HelpName = "BASE..HEAD" };
        var continueOnFailure = new Option<bool>("--continue-on-failure") { Description = "Build the next patches after one that does not build (default: they are skipped)" };
        var stepArtifacts = new Option<bool>("--step-artifacts") { Description = "Keep every built step's artifacts (series/NNN/artifacts/), not only the last step's" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the series ends and print what each patch changed: exit 0 if every step built, 1 otherwise" };

        var command = new Command("submit", "Submit a patch series: the base, then each patch built incrementally on the last")
        {
            mbox, range, b.File, b.Repo, b.Branch, b.Commit, b.Arch, b.Toolchain, b.Config, b.Fragment, b.MakeOpt, b.Artifact, b.Env,
            b.Priority, b.Timeout, b.BootTest, continueOnFailure, stepArtifacts, b.IdempotencyKey, wait,
        };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var spec = new SeriesSpec
            {
                Job = b.Spec(cli), Mbox = cli.Value(mbox), Range = cli.Value(range), ContinueOnFailure = cli.Value(continueOnFailure),
                StepArtifacts = cli.Value(stepArtifacts),
            };
            var body = spec.ToRequest(b.FileBody(cli), path => MboxInput.Read(path, Console.OpenStandardInput, !Console.IsInputRedirected));
            await BuildOptions.CheckAgainstCatalogAsync(cli, spec.Job, ct);
            var submitted = await cli.Client.PostAsync(ApiPaths.Series, body, ct, b.Headers(cli));
            var accepted = submitted.Json;
            var id = Json.Str(accepted, "id") ?? throw new CliException(ExitCodes.Unavailable, "the farm's answer has no series id");

            if (!cli.Value(wait))
            {
                if (cli.Json) cli.Output.WriteJson(submitted.Body);
                else cli.Output.Out.WriteLine(SeriesView.Accepted(accepted));
                return ExitCodes.Ok;
            }

            cli.Output.Progress.WriteLine($"{SeriesView.Accepted(accepted)}; waiting for it to end (Ctrl-C stops waiting, not the series)");
            var progress = new SeriesProgress(cli.Output.Progress, cli.Output.ProgressIsTerminal, StatusLine.ConsoleWidth);
            var final = await new SeriesWaiter(cli.Client, id, progress).WaitAsync(ct);
            return SeriesFollow.Report(cli, final);
        });
        return command;
    }
}
