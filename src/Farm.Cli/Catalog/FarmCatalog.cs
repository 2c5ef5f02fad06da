using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Catalog;

/// <summary>
/// The farm's GET /api/v1/catalog as kfarm reads it: the names --arch, --target and --status may take
/// come from the farm, so kfarm keeps no list of its own and knows what a newer farm added.
/// </summary>
public sealed class FarmCatalog(JsonNode catalog)
{
    public IReadOnlyList<string> Architectures => Names("architectures");
    public IReadOnlyList<string> Statuses => Names("statuses");
    public IReadOnlyList<string> Targets => Names("targets");
    public IReadOnlyList<string> Toolchains => Names("toolchains");

    public static async Task<FarmCatalog> GetAsync(FarmClient client, CancellationToken ct) =>
        new((await client.GetAsync(ApiPaths.Catalog, ct)).Json ?? new JsonObject());

    /// <summary>A usage error naming the option unless every value is one the farm knows.</summary>
    public static void Check(string option, IEnumerable<string> values, IReadOnlyList<string> known)
    {
        foreach (var value in values)
            if (!known.Contains(value, StringComparer.Ordinal))
                throw CliException.Usage($"{option} '{value}': the farm knows {string.Join(", ", known)}");
    }

    private IReadOnlyList<string> Names(string list) =>
        Json.Array(catalog, list).Select(e => Json.Str(e, "name")).OfType<string>().ToList();
}
