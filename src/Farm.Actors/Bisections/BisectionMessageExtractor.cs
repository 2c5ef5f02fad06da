using Akka.Cluster.Sharding;
using KernelFarm.Messages.Bisections;

namespace KernelFarm.Actors.Bisections;

/// <summary>Routes every <see cref="IWithBisectionId"/> message to its bisection's entity.</summary>
public sealed class BisectionMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithBisectionId m => m.BisectionId,
        _ => null,
    };
}
