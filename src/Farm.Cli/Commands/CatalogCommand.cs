using System.CommandLine;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands;

/// <summary>`catalog`: what the farm offers — architectures (with default targets, toolchains, images, servers), states, targets, toolchains.</summary>
public static class CatalogCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("catalog", "What the farm offers: architectures, job states, make targets, toolchains");
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var response = await cli.Client.GetAsync(ApiPaths.Catalog, ct);
            if (cli.Json) { cli.Output.WriteJson(response.Body); return ExitCodes.Ok; }
            var table = new Table("ARCH", "DEFAULT TARGETS", "TOOLCHAINS", "IMAGES", "SERVERS");
            foreach (var a in Json.Array(response.Json, "architectures"))
                table.Add(Json.Str(a, "name"), string.Join(",", Json.Strings(a, "default_targets")), string.Join(",", Json.Strings(a, "toolchains")),
                    string.Join(",", Json.Strings(a, "container_images")), string.Join(",", Json.Strings(a, "servers")));
            cli.Output.Out.Write(table.Render());
            var catalog = new FarmCatalog(response.Json!);
            cli.Output.Out.WriteLine($"states: {string.Join(", ", catalog.Statuses)}");
            cli.Output.Out.WriteLine($"targets: {string.Join(", ", catalog.Targets)}");
            cli.Output.Out.WriteLine($"toolchains: {(catalog.Toolchains.Count == 0 ? "none registered" : string.Join(", ", catalog.Toolchains))}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
