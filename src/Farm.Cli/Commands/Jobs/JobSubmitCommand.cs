using System.CommandLine;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Input;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>`jobs submit`: a build job from flags and/or a file; with --wait it follows the job to its end.</summary>
public static class JobSubmitCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var file = new Option<string?>("--file", "-f") { Description = "job.json (or .yaml) with the API's request fields (flags override)", HelpName = "FILE" };
        var repo = new Option<string?>("--repo") { Description = "Source repository URL", HelpName = "URL" };
        var branch = new Option<string?>("--branch") { Description = "Branch (default master)", HelpName = "BRANCH" };
        var commit = new Option<string?>("--commit") { Description = "Commit sha or HEAD (default HEAD)", HelpName = "SHA" };
        var arch = new Option<string?>("--arch") { Description = "Target architecture (the farm's: kfarm catalog)", HelpName = "ARCH" };
        CatalogCompletion.Add(arch, globals, c => c.Architectures);
        var target = new Option<string[]>("--target") { Description = "Make target to build (repeatable; default: the architecture's default set)", HelpName = "TARGET" };
        CatalogCompletion.Add(target, globals, c => c.Targets);
        var toolchain = new Option<string?>("--toolchain") { Description = "Toolchain, e.g. gcc-12 (default: the farm chooses)", HelpName = "NAME" };
        CatalogCompletion.Add(toolchain, globals, c => c.Toolchains);
        var config = new Option<string?>("--config") { Description = "kernel_config: a *config target or an in-tree path (default defconfig)", HelpName = "CONFIG" };
        var fragment = new Option<string[]>("--fragment") { Description = "Kconfig fragment line or in-tree path (repeatable)", HelpName = "FRAGMENT" };
        var makeOpt = new Option<string[]>("--make-opt") { Description = "Extra make argument, e.g. --make-opt=-j8 (repeatable)", HelpName = "ARG" };
        var artifact = new Option<string[]>("--artifact") { Description = "Artifact pattern (repeatable)", HelpName = "PATTERN" };
        var env = new Option<string[]>("--env") { Description = "Build environment variable KEY=VALUE (repeatable)", HelpName = "KEY=VALUE" };
        var priority = IntOption.Create("--priority", "-1000…1000, higher runs first", "N");
        var timeout = IntOption.Create("--timeout-minutes", "Build time limit in minutes", "MINUTES");
        var bootTest = new Option<bool>("--boot-test") { Description = "Boot the built kernel in QEMU after the build and record boot: pass/fail (x86_64, arm64)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Build even if a completed build had the same inputs (default: take its result)" };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Submitting again with the same key returns the same job", HelpName = "KEY" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job ends: exit 0 if it completed, 1 if it failed or was cancelled" };
        var follow = new Option<bool>("--follow") { Description = "Stream the build log while waiting (implies --wait)" };

        var command = new Command("submit", "Submit a build job")
        {
            file, repo, branch, commit, arch, target, toolchain, config, fragment, makeOpt, artifact, env, priority, timeout, bootTest, noCache, idempotencyKey, wait, follow,
        };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var spec = new JobSpec
            {
                Repo = cli.Value(repo), Branch = cli.Value(branch), Commit = cli.Value(commit), Arch = cli.Value(arch),
                Toolchain = cli.Value(toolchain), KernelConfig = cli.Value(config), Fragments = cli.Value(fragment) ?? [],
                Targets = cli.Value(target) ?? [], MakeOpts = cli.Value(makeOpt) ?? [], Artifacts = cli.Value(artifact) ?? [], Env = cli.Value(env) ?? [],
                Priority = cli.Value(priority), TimeoutMinutes = cli.Value(timeout), BootTest = cli.Value(bootTest),
                NoCache = cli.Value(noCache),
            };
            var body = spec.ToRequest(cli.Value(file) is { } path ? DocumentFile.Load(path) : null);
            if (spec.Arch is not null || spec.Targets.Count > 0)
            {   // named by the farm's catalog, so a typo is caught before anything is queued, with the names the farm knows
                var catalog = await FarmCatalog.GetAsync(cli.Client, ct);
                if (spec.Arch is { } a) FarmCatalog.Check("--arch", [a], catalog.Architectures);
                FarmCatalog.Check("--target", spec.Targets, catalog.Targets);
            }
            var headers = cli.Value(idempotencyKey) is { } key ? new Dictionary<string, string> { ["Idempotency-Key"] = key } : null;
            var submitted = await cli.Client.PostAsync(ApiPaths.Jobs, body, ct, headers);
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
