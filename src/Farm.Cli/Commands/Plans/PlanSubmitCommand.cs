using System.CommandLine;
using System.Net.Http.Headers;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;

namespace KernelFarm.Cli.Commands.Plans;

/// <summary>`plans submit FILE`: a TuxSuite plan file as written; with --wait it follows the matrix to its end.</summary>
public static class PlanSubmitCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var file = new Argument<string>("file") { Description = "The TuxSuite plan file (YAML, or JSON: by extension, else by content)" };
        var gitRepo = new Option<string>("--git-repo") { Description = "The repository every build uses", HelpName = "URL", Required = true };
        var gitRef = new Option<string>("--git-ref") { Description = "The branch or tag", HelpName = "REF", Required = true };
        var gitSha = new Option<string?>("--git-sha") { Description = "The exact commit (default: the ref's tip when each job fetches)", HelpName = "SHA" };
        var jobName = new Option<string?>("--job-name") { Description = "Only the builds of the plan job with this name", HelpName = "NAME" };
        var noCache = new Option<bool>("--no-cache") { Description = "Build every build even if a completed build had the same inputs" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every build has ended, showing the matrix: exit 0 if the plan passed, 1 otherwise" };

        var command = new Command("submit", "Submit a TuxSuite plan file") { file, gitRepo, gitRef, gitSha, jobName, noCache, wait };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var plan = PlanFile.Load(cli.Value(file));
            var path = ApiPaths.WithQuery(ApiPaths.Plans,
            [
                new("git_repo", cli.Value(gitRepo)),
                new("git_ref", cli.Value(gitRef)),
                new("git_sha", cli.Value(gitSha)),
                new("job_name", cli.Value(jobName)),
                new("no_cache", cli.Value(noCache) ? "true" : null),
            ]);
            var content = new ByteArrayContent(plan.Content);
            content.Headers.ContentType = new MediaTypeHeaderValue(plan.MediaType) { CharSet = "utf-8" };
            var submitted = await cli.Client.PostContentAsync(path, content, ct);
            var accepted = submitted.Json;
            var id = Json.Str(accepted, "id") ?? throw new CliException(ExitCodes.Unavailable, "the farm's answer has no plan id");
            var width = StatusLine.ConsoleWidth();

            if (!cli.Value(wait))
            {
                if (cli.Json) cli.Output.WriteJson(submitted.Body);
                else cli.Output.Out.Write($"plan {id} accepted: {PlanView.Counts(accepted)}\n{new PlanMatrix(PlanBuild.All(accepted)).Render(width)}");
                return ExitCodes.Ok;
            }

            var progress = new PlanProgress(cli.Output.Progress, cli.Output.ProgressIsTerminal, StatusLine.ConsoleWidth);
            cli.Output.Progress.WriteLine($"plan {id} accepted: {PlanView.Counts(accepted)}; waiting for every build to end (Ctrl-C stops waiting, not the plan)");
            if (!cli.Output.ProgressIsTerminal) cli.Output.Progress.Write(new PlanMatrix(PlanBuild.All(accepted)).Render(width));
            progress.Show(accepted);
            var final = await new PlanWaiter(cli.Client, id, progress).WaitAsync(ct);
            return PlanFollow.Report(cli, final, width);
        });
        return command;
    }
}
