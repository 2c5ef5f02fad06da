using System.CommandLine;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>`jobs submit`: a build job from flags and/or a file; with --wait it follows the job to its end.</summary>
public static class JobSubmitCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var b = new BuildOptions(globals,
            fileDescription: "job.json (or .yaml) with the API's request fields (flags override)",
            commitDescription: "Commit sha or HEAD (default HEAD)");
        var target = new Option<string[]>("--target") { Description = "Make target to build (repeatable; default: the architecture's default set)", HelpName = "TARGET" };
        CatalogCompletion.Add(target, globals, c => c.Targets);
        var noCache = new Option<bool>("--no-cache") { Description = "Build even if a completed build had the same inputs (default: take its result)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job ends: exit 0 if it completed, 1 if it failed or was cancelled" };
        var follow = new Option<bool>("--follow") { Description = "Stream the build log while waiting (implies --wait)" };

        var command = new Command("submit", "Submit a build job")
        {
            b.File, b.Repo, b.Branch, b.Commit, b.Arch, target, b.Toolchain, b.Config, b.Fragment, b.MakeOpt, b.Artifact, b.Env,
            b.Priority, b.Timeout, b.BootTest, noCache, b.IdempotencyKey, wait, follow,
        };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var spec = b.Spec(cli) with { Targets = cli.Value(target) ?? [], NoCache = cli.Value(noCache) };
            var body = spec.ToRequest(b.FileBody(cli));
            await BuildOptions.CheckAgainstCatalogAsync(cli, spec, ct);
            var submitted = await cli.Client.PostAsync(ApiPaths.Jobs, body, ct, b.Headers(cli));
            var id = Json.Str(submitted.Json, "id") ?? throw new CliException(ExitCodes.Unavailable, "the farm's answer has no job id");

            var followLog = cli.Value(follow);
            if (!cli.Value(wait) && !followLog)
            {
                if (cli.Json) cli.Output.WriteJson(submitted.Body);
                else cli.Output.Out.WriteLine($"job {id} {Json.Str(submitted.Json, "status") ?? "submitted"}");
                return ExitCodes.Ok;
            }

            if (!cli.Json) cli.Output.Out.WriteLine($"job {id} submitted; waiting for it to end (Ctrl-C stops waiting, not the job)");
            var final = await JobFollow.UntilEndAsync(cli, id, followLog, ct);
            return JobFollow.Report(cli, final);
        });
        return command;
    }
}
