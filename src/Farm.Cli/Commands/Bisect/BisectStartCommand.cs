using System.CommandLine;
using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Bisect;

/// <summary>
/// `bisect start`: a bisection between a good and a bad commit under a criterion, each step built
/// with the flags of `jobs submit`; with --wait it follows the bisection round by round to its end.
/// </summary>
public static class BisectStartCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var b = new BuildOptions(globals,
            fileDescription: "bisection.json (or .yaml) with the API's request fields, good, bad and criterion included (flags override)",
            commitDescription: "(not taken: each step builds its own commit)");
        b.Toolchain.Description = "Toolchain, e.g. gcc-12: required, every step builds with the same compiler";
        var good = new Option<string?>("--good") { Description = "A commit id or ref (branch, tag) that passes the criterion", HelpName = "REF" };
        var bad = new Option<string?>("--bad") { Description = "A commit id or ref that fails it; --good must be its ancestor", HelpName = "REF" };
        var criterion = new Option<string?>("--criterion") { Description = "What makes a commit bad (replaces the file's criterion)" };
        criterion.AcceptOnlyFromAmong([.. BisectionSpec.Criteria]);
        var match = new Option<string?>("--match")
        {
            Description = "build_fails: only a failure with an error line containing TEXT is bad (another failure is a skip); diagnostic: a warning or error containing TEXT (default: any the good commit does not have)",
            HelpName = "TEXT",
        };
        var threshold = IntOption.CreateLong("--threshold-bytes", "size_grows (required there): a commit is bad when vmlinux's text grew by more than N bytes over the good commit's", "N");
        var parallel = IntOption.Create("--parallel", "Builds at once, 1 to 64: each round tests K commits (default: the free slots of the servers that build the architecture)", "K");
        var target = new Option<string[]>("--target") { Description = "Make target to build at each step (repeatable; default: the architecture's default set)", HelpName = "TARGET" };
        CatalogCompletion.Add(target, globals, c => c.Targets);
        var noCache = new Option<bool>("--no-cache") { Description = "Build every step even if a completed build had the same commit and inputs (default: take its result)" };
        var wait = new Option<bool>("--wait") { Description = "Follow the bisection round by round until it ends: exit 0 if the first bad commit was found, 1 otherwise" };

        var command = new Command("start", "Start a bisection: the ends are checked, then each round tests K commits of the window until one commit is left")
        {
            b.File, b.Repo, b.Branch, good, bad, b.Arch, b.Toolchain, b.Config, target, b.Fragment, b.MakeOpt, b.Artifact, b.Env,
            b.Priority, b.Timeout, noCache, criterion, match, threshold, parallel, wait,
        };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var spec = new BisectionSpec
            {
                Job = new JobSpec
                {
                    Repo = cli.Value(b.Repo), Branch = cli.Value(b.Branch), Arch = cli.Value(b.Arch), Toolchain = cli.Value(b.Toolchain),
                    KernelConfig = cli.Value(b.Config), Targets = cli.Value(target) ?? [], Fragments = cli.Value(b.Fragment) ?? [],
                    MakeOpts = cli.Value(b.MakeOpt) ?? [], Artifacts = cli.Value(b.Artifact) ?? [], Env = cli.Value(b.Env) ?? [],
                    Priority = cli.Value(b.Priority), TimeoutMinutes = cli.Value(b.Timeout), NoCache = cli.Value(noCache),
                },
                Good = cli.Value(good), Bad = cli.Value(bad), Criterion = cli.Value(criterion), Match = cli.Value(match),
                ThresholdBytes = cli.Value(threshold), Parallel = cli.Value(parallel),
            };
            var body = spec.ToRequest(b.FileBody(cli));
            await BuildOptions.CheckAgainstCatalogAsync(cli, spec.Job, ct);
            var started = await cli.Client.PostAsync(ApiPaths.Bisections, body, ct);
            var accepted = started.Json;
            var id = Json.Str(accepted, "id") ?? throw new CliException(ExitCodes.Unavailable, "the farm's answer has no bisection id");

            if (!cli.Value(wait))
            {
                if (cli.Json) cli.Output.WriteJson(started.Body);
                else cli.Output.Out.WriteLine(BisectionView.Accepted(accepted));
                return ExitCodes.Ok;
            }

            cli.Output.Progress.WriteLine($"{BisectionView.Accepted(accepted)}; waiting for it to end (Ctrl-C stops waiting, not the bisection)");
            var progress = new BisectionProgress(cli.Output.Progress, cli.Output.ProgressIsTerminal, StatusLine.ConsoleWidth);
            var final = await new BisectionWaiter(cli.Client, id, progress).WaitAsync(ct);
            return BisectFollow.Report(cli, final);
        });
        return command;
    }
}
