using System.CommandLine;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

/// <summary>`jobs artifacts list|get`: a job's manifest, and verified downloads of its files.</summary>
public static class JobArtifactsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var artifacts = new Command("artifacts", "List or download a job's artifacts");
        artifacts.Subcommands.Add(List(globals));
        artifacts.Subcommands.Add(Get(globals));
        return artifacts;
    }

    private static Command List(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var command = new Command("list", "List a job's artifacts with sizes and sha256") { id };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Artifacts(cli.Value(id)), ct);
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var entries = ArtifactEntry.FromManifest(response.Json);
            if (entries.Count == 0) { cli.Output.Out.WriteLine("no artifacts"); return ExitCodes.Ok; }
            var table = new Table("PATH", "SIZE", "SHA256").AlignRight(1);
            foreach (var e in entries) table.Add(e.Path, e.Size >= 0 ? Bytes.Format(e.Size) : null, e.Sha256);
            cli.Output.Out.Write(table.Render());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(GlobalOptions globals)
    {
        var id = JobsCommand.IdArgument();
        var paths = new Argument<string[]>("path") { Description = "Artifact paths as listed (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Folder to download into (default: the current folder)", HelpName = "DIR", DefaultValueFactory = _ => "." };
        var command = new Command("get", "Download artifacts, verifying each file's sha256 against the manifest") { id, paths, output };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var jobId = cli.Value(id);
            var wanted = cli.Value(paths) ?? [];
            foreach (var p in wanted)
                if (ArtifactPath.Problem(p) is { } problem) throw CliException.Usage($"artifact path '{p}': {problem}");
            var directory = cli.Value(output) ?? ".";

            var manifest = ArtifactEntry.FromManifest((await cli.Client.GetAsync(ApiPaths.Artifacts(jobId), ct)).Json);
            var selected = wanted.Length == 0 ? manifest : wanted.Select(p =>
                manifest.FirstOrDefault(e => e.Path == p) ?? throw CliException.NotFound($"job {jobId} has no artifact '{p}'")).ToList();
            if (selected.Count == 0) throw CliException.NotFound($"job {jobId} has no artifacts");

            var status = cli.Output.ProgressIsTerminal ? new StatusLine(cli.Output.Progress, StatusLine.ConsoleWidth) : null;
            var downloaded = new JsonArray();
            var failures = new List<string>();
            for (var i = 0; i < selected.Count; i++)
            {
                var entry = selected[i];
                var prefix = $"[{i + 1}/{selected.Count}] {entry.Path}";
                var downloader = new ArtifactDownloader(cli.Client, jobId, directory)
                {
                    Progress = status is null ? null : (e, got) => status.Update(
                        e.Size > 0 ? $"{prefix}  {got * 100 / e.Size,3}%  {Bytes.Format(got)} of {Bytes.Format(e.Size)}" : $"{prefix}  {Bytes.Format(got)}"),
                };
                try
                {
                    var file = await downloader.DownloadAsync(entry, ct);
                    status?.Clear();
                    if (!cli.Json) cli.Output.Out.WriteLine($"{entry.Path}  {Bytes.Format(entry.Size)}  sha256 ok");
                    downloaded.Add(new JsonObject { ["path"] = entry.Path, ["size"] = entry.Size, ["sha256"] = entry.Sha256, ["file"] = file });
                }
                catch (CliException e) when (e.ExitCode == ExitCodes.Failure)
                {
                    // a bad file does not stop the others; the exit code tells
                    status?.Clear();
                    cli.Output.Note(e.Message);
                    failures.Add(entry.Path);
                }
            }
            if (cli.Json)
                cli.Output.WriteJson(new JsonObject { ["job_id"] = jobId, ["directory"] = Path.GetFullPath(directory), ["artifacts"] = downloaded }.ToJsonString());
            if (failures.Count == 0) return ExitCodes.Ok;
            cli.Output.Note($"{failures.Count} of {selected.Count} artifact{(selected.Count == 1 ? "" : "s")} failed verification: {string.Join(", ", failures)}");
            return ExitCodes.Failure;
        });
        return command;
    }
}
