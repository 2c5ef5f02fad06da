using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Auth;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Host.Gateway;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => Results.Ok(new { status = "live" })).AllowAnonymous(); // probes carry no token
        // Ready: this node is an Up cluster member, the journal's database answers a query and the
        // queue singleton answers.
        app.MapGet("/healthz/ready", async (ActorSystem system, IRequiredActor<BuildQueue> queue, FarmSettings settings, CancellationToken ct) =>
        {
            var member = Cluster.Get(system).SelfMember;
            if (member.Status != MemberStatus.Up)
                return Results.Json(new { status = "not ready", member = member.Status.ToString().ToLowerInvariant() }, statusCode: 503);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            if (await JournalCheck.ProblemAsync(settings, timeout.Token) is { } journal)
                return Results.Json(new { status = "not ready", member = "up", journal }, statusCode: 503);
            try
            {
                var stats = await queue.ActorRef.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, TimeSpan.FromSeconds(3));
                return Results.Ok(new { status = "ready", member = "up", waiting = stats.Waiting, accepted = stats.Accepted });
            }
            catch (Exception e)
            {
                return Results.Json(new { status = "not ready", error = e.Message }, statusCode: 503);
            }
        }).AllowAnonymous();
        // This node's view of the cluster membership (for operators and the cluster tests): nodes that
        // see the same members with the same uids (incarnations) are one cluster; a node that formed a
        // cluster of its own sees only itself.
        app.MapGet("/healthz/cluster", (ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            var state = cluster.State;
            return Results.Ok(new
            {
                Self = cluster.SelfAddress.ToString(),
                SelfUid = cluster.SelfUniqueAddress.Uid,
                Status = cluster.SelfMember.Status.ToString().ToLowerInvariant(),
                Leader = state.Leader?.ToString(),
                Members = state.Members.Select(m => new
                {
                    Address = m.Address.ToString(),
                    m.UniqueAddress.Uid,
                    Status = m.Status.ToString().ToLowerInvariant(),
                    Roles = m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToArray(),
                    Reachable = !state.Unreachable.Contains(m),
                }).ToArray(),
                Singletons = ClusterViews.Singletons(cluster),
            });
        }).RequireAuthorization(FarmPolicies.Viewer);
    }
}
