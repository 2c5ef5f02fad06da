using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Servers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KernelFarm.Host.Gateway;

/// <summary>GET /api/v1/catalog (<see cref="Catalog"/>): read by the dashboard and kfarm instead of lists of their own.</summary>
public static class CatalogEndpoints
{
    public static void MapCatalogEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        app.MapGet("/api/v1/catalog", async Task<Ok<FarmCatalog>> (IRequiredActor<ServerPool> pool) =>
        {
            var list = await pool.ActorRef.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, settings.AskTimeout);
            return TypedResults.Ok(Catalog.Build(ArchitectureCatalog.Default, list.Servers.Select(s => s.Server).ToList(), settings));
        }).RequireAuthorization(FarmPolicies.Viewer)
          .Describe("GetCatalog", "Architectures, job states, targets, toolchains and limits")
          .WithProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
    }
}
