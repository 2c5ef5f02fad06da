using Akka.Cluster.Sharding;
using KernelFarm.Messages;

namespace KernelFarm.Actors.Jobs;

/// <summary>Routes every <see cref="IWithJobId"/> message to its job's entity.</summary>
public sealed class JobMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithJobId m => m.JobId,
        _ => null,
    };
}
