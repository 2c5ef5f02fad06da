using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// /api/v1/cluster: the operator's cluster palette (what Petabridge.Cmd's pbm offers): members and
/// singletons, membership events live, leave/down/join, sharding statistics, the actor tree.
/// </summary>
public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        var g = app.MapGroup("/api/v1/cluster").RequireAuthorization(FarmPolicies.Operator);

        g.MapGet("", (ActorSystem system) => Results.Ok(ClusterViews.Membership(Cluster.Get(system))))
            .Describe("GetClusterMembership", "Members, leader and where the singletons live").Produces<ClusterMembership>().WithProblems(401, 403);

        g.MapGet("/events", (ActorSystem system, HttpContext http) => Results.Stream(async _ =>
        {
            var channel = Channel.CreateUnbounded<(string Type, string Json)>();
            var source = system.ActorOf(ClusterEventsSource.Props(channel.Writer));
            try
            {
                ServerSentEvents.Prepare(http.Response);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                while (true)
                {
                    // wake up at least every 15 s to keep idle proxies from closing the stream
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                    idle.CancelAfter(TimeSpan.FromSeconds(15));
                    string text;
                    try
                    {
                        var (type, json) = await channel.Reader.ReadAsync(idle.Token);
                        text = ServerSentEvents.Format(type, json);
                    }
                    catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
                    {
                        text = ServerSentEvents.KeepAlive;
                    }
                    await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            catch (OperationCanceledException) { /* the client went away */ }
            catch (ChannelClosedException) { /* the node is shutting down */ }
            finally
            {
                system.Stop(source);
            }
        }, ServerSentEvents.ContentType))
            .Describe("FollowClusterEvents", "Membership events as server-sent events until the client goes away")
            .Produces<string>(StatusCodes.Status200OK, ServerSentEvents.ContentType).WithProblems(401, 403);

        g.MapPost("/leave", (HttpContext http, ActorSystem system) => MemberAction(http, system, "leave", (c, a) => c.Leave(a)))
            .Describe("LeaveCluster", "Make a member leave gracefully").AcceptsJson<MemberAddress>()
            .Produces<MemberActionAccepted>(StatusCodes.Status202Accepted).WithProblems(400, 401, 403, 404, 413);
        g.MapPost("/down", (HttpContext http, ActorSystem system) => MemberAction(http, system, "down", (c, a) => c.Down(a)))
            .Describe("DownClusterMember", "Mark a member down").AcceptsJson<MemberAddress>()
            .Produces<MemberActionAccepted>(StatusCodes.Status202Accepted).WithProblems(400, 401, 403, 404, 413);
        g.MapPost("/join", async (HttpContext http, ActorSystem system) =>
        {
            var (address, problem) = await ReadAddress(http);
            if (problem is not null) return problem;
            Cluster.Get(system).Join(address!);
            return Results.Json(new MemberActionAccepted(address!.ToString(), "join"), statusCode: StatusCodes.Status202Accepted);
        }).Describe("JoinCluster", "Make this node join the cluster at an address").AcceptsJson<MemberAddress>()
          .Produces<MemberActionAccepted>(StatusCodes.Status202Accepted).WithProblems(400, 401, 403, 413);

        g.MapGet("/sharding", async (IRequiredActor<BuildJobs> jobs) =>
        {
            var stats = await jobs.ActorRef.Ask<ClusterShardingStats>(new GetClusterShardingStats(settings.AskTimeout), settings.AskTimeout + TimeSpan.FromSeconds(1));
            var regions = stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).Select(r => new ShardingRegionStats(
                r.Key.ToString(),
                r.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new ShardEntities(s.Key, s.Value)).ToArray(),
                r.Value.Failed.Order(StringComparer.Ordinal).ToArray())).ToArray();
            return Results.Ok(new ShardingStats("build-job", regions, regions.Sum(r => r.Shards.Sum(s => s.Entities))));
        }).Describe("GetShardingStats", "Build-job shards and their entities per region").Produces<ShardingStats>().WithProblems(401, 403, 503);

        g.MapGet("/actors", (int? depth, ActorSystem system) =>
        {
            if (depth is < 1 or > 20) return Problems.Invalid("depth", "must be between 1 and 20");
            var root = ((ExtendedActorSystem)system).Provider.RootGuardian;
            return Results.Ok(ClusterViews.Tree(root, depth ?? 3));
        }).Describe("GetActorTree", "This node's actor tree, depth levels deep (default 3)")
          .Produces<ClusterViews.ActorNode>().WithProblems(400, 401, 403);
    }

    private static async Task<IResult> MemberAction(HttpContext http, ActorSystem system, string action, Action<Cluster, Address> act)
    {
        var (address, problem) = await ReadAddress(http);
        if (problem is not null) return problem;
        var cluster = Cluster.Get(system);
        if (!cluster.State.Members.Any(m => m.Address.Equals(address)))
            return Problems.NotFound("cluster member", address!.ToString());
        act(cluster, address!);
        return Results.Json(new MemberActionAccepted(address!.ToString(), action), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<(Address? Address, IResult? Problem)> ReadAddress(HttpContext http)
    {
        var (body, error) = await JsonBody.ReadAsync<MemberAddress>(http.Request);
        if (error is not null) return (null, error);
        if (string.IsNullOrWhiteSpace(body!.Address)) return (null, Problems.Invalid("address", $"is required, e.g. {FarmConfig.Protocol}://{FarmConfig.SystemName}@127.0.0.1:4051"));
        try
        {
            var address = Address.Parse(FarmConfig.NodeAddress(body.Address));
            if (address.Host is null || address.Port is null || address.System != FarmConfig.SystemName)
                return (null, Problems.Invalid("address", $"must be a node address like {FarmConfig.Protocol}://{FarmConfig.SystemName}@host:port"));
            return (address, null);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            return (null, Problems.Invalid("address", $"is not an actor system address: {e.Message}"));
        }
    }
}
