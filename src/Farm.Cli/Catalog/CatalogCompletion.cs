using System.CommandLine;
using System.CommandLine.Completions;
using KernelFarm.Cli.Commands;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Catalog;

/// <summary>
/// Shell completion of an option's values from the farm's catalog. Completion must answer at once and
/// never fail: an unreachable farm (offline, no token) gives no suggestions, and the value typed is
/// still checked by the farm when the command runs.
/// </summary>
public static class CatalogCompletion
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static void Add<T>(Option<T> option, GlobalOptions globals, Func<FarmCatalog, IReadOnlyList<string>> pick) =>
        option.CompletionSources.Add(context =>
        {
            try
            {
                var config = CliConfig.FromProcess(context.ParseResult.GetValue(globals.Endpoint), context.ParseResult.GetValue(globals.Token));
                using var client = new FarmClient(config);
                using var cts = new CancellationTokenSource(Timeout);
                var catalog = FarmCatalog.GetAsync(client, cts.Token).GetAwaiter().GetResult();
                return pick(catalog).Where(n => n.StartsWith(context.WordToComplete, StringComparison.Ordinal)).Select(n => new CompletionItem(n));
            }
            catch (Exception e) when (e is CliException or HttpRequestException or OperationCanceledException or IOException)
            {
                return [];
            }
        });
}
