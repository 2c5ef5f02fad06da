using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Queue;
using KernelFarm.Actors.Servers;

namespace KernelFarm.Actors.Hosting;

public static class FarmAkkaExtensions
{
    public const int JobShards = 100;

    /// <summary>
    /// Starts the farm's actors on this node: the queue and pool singletons (with proxies, so any
    /// node reaches them), the job shard region, and this node's job index.
    /// </summary>
    public static AkkaConfigurationBuilder AddBuildFarm(this AkkaConfigurationBuilder builder, FarmSettings settings) =>
        builder.WithActors((system, registry, _) =>
        {
            var queueProxy = system.ActorOf(ClusterSingletonProxy.Props("/user/build-queue",
                ClusterSingletonProxySettings.Create(system)), "build-queue-proxy");
            var poolProxy = system.ActorOf(ClusterSingletonProxy.Props("/user/server-pool",
                ClusterSingletonProxySettings.Create(system)), "server-pool-proxy");

            var jobs = ClusterSharding.Get(system).Start("build-job",
                id => BuildJobActor.Props(id, settings, queueProxy, poolProxy),
                ClusterShardingSettings.Create(system).WithRememberEntities(true),
                new JobMessageExtractor(JobShards));

            system.ActorOf(ClusterSingletonManager.Props(QueueActor.Props(settings, jobs, poolProxy),
                PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)), "build-queue");
            system.ActorOf(ClusterSingletonManager.Props(ServerPoolActor.Props(settings, queueProxy),
                PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)), "server-pool");

            registry.Register<BuildQueue>(queueProxy);
            registry.Register<ServerPool>(poolProxy);
            registry.Register<BuildJobs>(jobs);
            registry.Register<JobIndex>(system.ActorOf(JobIndexActor.Props(), "job-index"));
        });
}
