using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Host.Gateway;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => Results.Ok(new HealthStatusView { Status = "live" })).AllowAnonymous() // probes carry no token
            .Describe("GetLiveness", "The process answers").Produces<HealthStatusView>();
        // Ready: this node is an Up cluster member, the journal's database answers a query and the
        // queue singleton answers.
        app.MapGet("/healthz/ready", async (ActorSystem system, IRequiredActor<BuildQueue> queue, FarmSettings settings, CancellationToken ct) =>
        {
            var member = Cluster.Get(system).SelfMember;
            if (member.Status != MemberStatus.Up)
                return Results.Json(new HealthStatusView { Status = "not ready", Member = member.Status.ToString().ToLowerInvariant() }, statusCode: 503);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            if (await JournalCheck.ProblemAsync(settings, timeout.Token) is { } journal)
                return Results.Json(new HealthStatusView { Status = "not ready", Member = "up", Journal = journal }, statusCode: 503);
            try
            {
                var stats = await queue.ActorRef.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, TimeSpan.FromSeconds(3));
                return Results.Ok(new HealthStatusView { Status = "ready", Member = "up", Waiting = stats.Waiting, Accepted = stats.Accepted });
            }
            catch (Exception e)
            {
                return Results.Json(new HealthStatusView { Status = "not ready", Error = e.Message }, statusCode: 503);
            }
        }).AllowAnonymous()
          .Describe("GetReadiness", "This node is an Up member, its journal answers and the queue singleton answers (503 otherwise)")
          .Produces<HealthStatusView>().Produces<HealthStatusView>(StatusCodes.Status503ServiceUnavailable);
        // This node's view of the cluster membership (for operators and the cluster tests): nodes that
        // see the same members with the same uids (incarnations) are one cluster; a node that formed a
        // cluster of its own sees only itself.
        // The same shape as GET /api/v1/cluster, for viewers.
        app.MapGet("/healthz/cluster", (ActorSystem system) => Results.Ok(ClusterViews.Membership(Cluster.Get(system))))
            .RequireAuthorization(FarmPolicies.Viewer)
            .Describe("GetClusterHealth", "This node's view of the cluster membership").Produces<ClusterMembership>().WithProblems(401);
    }
}
