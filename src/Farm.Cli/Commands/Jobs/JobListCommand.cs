using System.CommandLine;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands.Jobs;

public static class JobListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var status = new Option<string?>("--status") { Description = "Only jobs in this state", HelpName = "STATE" };
        CatalogCompletion.Add(status, globals, c => c.Statuses);
        var server = new Option<string?>("--server") { Description = "Only jobs placed on this server", HelpName = "ID" };
        var arch = new Option<string?>("--arch") { Description = "Only jobs for this architecture", HelpName = "ARCH" };
        CatalogCompletion.Add(arch, globals, c => c.Architectures);
        var since = new Option<string?>("--since") { Description = "Created at or after: ISO 8601 time or a duration ago (30m, 2h, 7d)", HelpName = "TIME" };
        var until = new Option<string?>("--until") { Description = "Created before: ISO 8601 time or a duration ago", HelpName = "TIME" };
        var limit = IntOption.Create("--limit", "At most this many jobs (1…1000, default 100)", "N");
        var offset = IntOption.Create("--offset", "Skip this many jobs (newest first)", "N");
        var command = new Command("list", "List jobs, newest first") { status, server, arch, since, until, limit, offset };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            if (cli.Value(status) is { } wanted)
                FarmCatalog.Check("--status", [wanted], (await FarmCatalog.GetAsync(cli.Client, ct)).Statuses);
            var path = ApiPaths.WithQuery(ApiPaths.Jobs,
            [
                new("status", cli.Value(status)),
                new("server", cli.Value(server)),
                new("architecture", cli.Value(arch)),
                new("since", cli.Value(since) is { } s ? Durations.ToTimeParameter(s, now) : null),
                new("until", cli.Value(until) is { } u ? Durations.ToTimeParameter(u, now) : null),
                new("limit", cli.Value(limit)?.ToString()),
                new("offset", cli.Value(offset)?.ToString()),
            ]);
            var response = await cli.Client.GetAsync(path, ct);
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var page = response.Json;
            var jobs = Json.Array(page, "jobs");
            var total = Json.Long(page, "total") ?? jobs.Count;
            if (jobs.Count == 0) { cli.Output.Out.WriteLine(total == 0 ? "no jobs" : $"no jobs on this page ({total} in all)"); return ExitCodes.Ok; }
            cli.Output.Out.Write(JobView.List(jobs, now));
            var first = (Json.Long(page, "offset") ?? 0) + 1;
            if (jobs.Count < total) cli.Output.Out.WriteLine($"{first}–{first + jobs.Count - 1} of {total} (--offset, --limit for more)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
