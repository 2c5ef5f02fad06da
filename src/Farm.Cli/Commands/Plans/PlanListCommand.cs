using System.CommandLine;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Plans;

namespace KernelFarm.Cli.Commands.Plans;

public static class PlanListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var limit = IntOption.Create("--limit", "At most this many plans", "N");
        var offset = IntOption.Create("--offset", "Skip this many plans (newest first)", "N");
        var command = new Command("list", "List plans, newest first") { limit, offset };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var path = ApiPaths.WithQuery(ApiPaths.Plans,
            [
                new("offset", cli.Value(offset)?.ToString()),
                new("limit", cli.Value(limit)?.ToString()),
            ]);
            ApiResponse response;
            try { response = await cli.Client.GetAsync(path, ct); }
            catch (FarmApiException e) when (e.Status == 405)
            {   // a farm from before the plan list takes plans but cannot list them
                throw new CliException(ExitCodes.Unavailable, "this farm does not list plans (GET /api/v1/plans: 405): it is older than this kfarm");
            }
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var page = response.Json;
            var plans = Json.Array(page, "plans");
            var total = Json.Long(page, "total") ?? plans.Count;
            if (plans.Count == 0) { cli.Output.Out.WriteLine(total == 0 ? "no plans" : $"no plans on this page ({total} in all)"); return ExitCodes.Ok; }
            cli.Output.Out.Write(PlanView.List(plans));
            var first = (Json.Long(page, "offset") ?? 0) + 1;
            if (plans.Count < total) cli.Output.Out.WriteLine($"{first}–{first + plans.Count - 1} of {total} (--offset, --limit for more)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
