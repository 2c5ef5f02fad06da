using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>/api/v1/infrastructure/build-servers: register (after an SSH probe), list, show, remove.</summary>
public static class ServerEndpoints
{
    public static void MapServerEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/infrastructure/build-servers").RequireAuthorization(FarmPolicies.Viewer);
        // Registration probes the server over SSH: allow for the connect timeout.
        var registerTimeout = settings.SshConnectTimeout * 2 + settings.AskTimeout;

        g.MapPost("", async (HttpContext http, IRequiredActor<ServerPool> pool) =>
        {
            var (server, error) = await JsonBody.ReadAsync<BuildServer>(http.Request);
            if (error is not null) return error;
            var reply = await pool.ActorRef.Ask<object>(new ServerPoolCommands.Register(server!), registerTimeout);
            return reply switch
            {
                ServerPoolReplies.Registered r => Results.Json(Views.Server(r.Server), statusCode: StatusCodes.Status201Created),
                ServerPoolReplies.Rejected { Conflict: true } c => Problems.Conflict(c.Reason, c.Field),
                ServerPoolReplies.Rejected { Unreachable: true } u => Problems.Unprocessable(u.Field, u.Reason),
                ServerPoolReplies.Rejected r => Problems.Invalid(r.Field, r.Reason),
                _ => Results.Problem(statusCode: 500),
            };
        }).RequireAuthorization(FarmPolicies.Operator)
          .Describe("RegisterBuildServer", "Register a build server after probing it over SSH (its host key must match)")
          .AcceptsJson<BuildServer>().Produces<BuildServerView>(StatusCodes.Status201Created).WithProblems(400, 401, 403, 409, 413, 422, 503);

        g.MapGet("", async (IRequiredActor<ServerPool> pool) =>
        {
            var list = await pool.ActorRef.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, settings.AskTimeout);
            return Results.Ok(new BuildServerList(list.Servers.Select(Views.Server).ToList()));
        }).Describe("ListBuildServers", "Every registered build server with its live state").Produces<BuildServerList>().WithProblems(401, 503);

        g.MapGet("/{id}", async (string id, IRequiredActor<ServerPool> pool) =>
            await pool.ActorRef.Ask<object>(new ServerPoolCommands.Get(id), settings.AskTimeout) is ServerPoolReplies.ServerDetails d
                ? Results.Ok(Views.Server(d.Server))
                : Problems.NotFound("build server", id))
            .Describe("GetBuildServer", "One build server").Produces<BuildServerView>().WithProblems(401, 404, 503);

        g.MapPost("/{id}/drain", (string id, IRequiredActor<ServerPool> pool) => SetDraining(pool.ActorRef, id, true, settings))
            .RequireAuthorization(FarmPolicies.Operator)
            .Describe("DrainBuildServer", "Place no new jobs on the server; running jobs finish")
            .Produces<BuildServerView>().WithProblems(401, 403, 404, 503);
        g.MapPost("/{id}/undrain", (string id, IRequiredActor<ServerPool> pool) => SetDraining(pool.ActorRef, id, false, settings))
            .RequireAuthorization(FarmPolicies.Operator)
            .Describe("UndrainBuildServer", "Place jobs on the server again")
            .Produces<BuildServerView>().WithProblems(401, 403, 404, 503);

        g.MapPost("/{id}/probe", async (string id, IRequiredActor<ServerPool> pool) =>
            await pool.ActorRef.Ask<object>(new ServerPoolCommands.Probe(id), settings.SshConnectTimeout * 2 + settings.AskTimeout) is ServerPoolReplies.ServerDetails d
                ? Results.Ok(Views.Server(d.Server))
                : Problems.NotFound("build server", id)).RequireAuthorization(FarmPolicies.Operator)
            .Describe("ProbeBuildServer", "Probe the server over SSH now").Produces<BuildServerView>().WithProblems(401, 403, 404, 503);

        g.MapDelete("/{id}", async (string id, IRequiredActor<ServerPool> pool) =>
            await pool.ActorRef.Ask<object>(new ServerPoolCommands.Remove(id), settings.AskTimeout) switch
            {
                ServerPoolReplies.Removed => Results.NoContent(),
                ServerPoolReplies.Busy b => Problems.Conflict($"build server {id} is running jobs: {string.Join(", ", b.RunningJobs)}"),
                _ => Problems.NotFound("build server", id),
            }).RequireAuthorization(FarmPolicies.Operator)
            .Describe("RemoveBuildServer", "Remove a server that runs no jobs").Produces(StatusCodes.Status204NoContent).WithProblems(401, 403, 404, 409, 503);
    }

    private static async Task<IResult> SetDraining(IActorRef pool, string id, bool draining, FarmSettings settings) =>
        await pool.Ask<object>(new ServerPoolCommands.Drain(id, draining), settings.AskTimeout) is ServerPoolReplies.ServerDetails d
            ? Results.Ok(Views.Server(d.Server))
            : Problems.NotFound("build server", id);
}
