using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// One HTTP client's subscription to membership events: a short-lived actor subscribed to the
/// cluster that writes each event, as the SSE payload, into a channel the endpoint drains.
/// </summary>
public sealed class ClusterEventsSource : ReceiveActor
{
    private readonly ChannelWriter<(string Type, string Json)> _out;

    public ClusterEventsSource(ChannelWriter<(string Type, string Json)> output)
    {
        _out = output;
        Receive<IMemberEvent>(e => Emit(e switch
        {
            MemberUp => "member-up",
            MemberJoined => "member-joined",
            MemberLeft => "member-left",
            MemberExited => "member-exited",
            MemberRemoved => "member-removed",
            MemberWeaklyUp => "member-weakly-up",
            _ => "member-" + e.GetType().Name.ToLowerInvariant(),
        }, e.Member));
        Receive<UnreachableMember>(e => Emit("unreachable", e.Member));
        Receive<ReachableMember>(e => Emit("reachable", e.Member));
        Receive<LeaderChanged>(e => Write("leader-changed", new { type = "leader-changed", address = e.Leader?.ToString(), at = DateTimeOffset.UtcNow }));
    }

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, InitialStateAsEvents, typeof(IMemberEvent), typeof(IReachabilityEvent), typeof(LeaderChanged));

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _out.TryComplete();
    }

    private void Emit(string type, Member m) => Write(type, new
    {
        type,
        address = m.Address.ToString(),
        status = ClusterViews.Status(m.Status),
        roles = m.Roles.Order(StringComparer.Ordinal).ToArray(),
        at = DateTimeOffset.UtcNow,
    });

    private void Write(string type, object payload) => _out.TryWrite((type, JsonSerializer.Serialize(payload)));

    public static Props Props(ChannelWriter<(string, string)> output) => Akka.Actor.Props.Create(() => new ClusterEventsSource(output));
}
