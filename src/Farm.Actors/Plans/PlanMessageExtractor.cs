using Akka.Cluster.Sharding;
using KernelFarm.Messages.Plans;

namespace KernelFarm.Actors.Plans;

/// <summary>Routes every <see cref="IWithPlanId"/> message to its plan's entity.</summary>
public sealed class PlanMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithPlanId m => m.PlanId,
        _ => null,
    };
}
