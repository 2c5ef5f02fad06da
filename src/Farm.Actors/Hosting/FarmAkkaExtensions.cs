using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Queue;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Actors.Hosting;

public static class FarmAkkaExtensions
{
    public const int JobShards = 100;
    public const string WorkerRole = "worker", GatewayRole = "gateway";

    /// <summary>
    /// Starts the farm's actors on this node. Worker nodes host the queue and pool singletons and
    /// the job shards; every node gets proxies to them (so a gateway-only node serves the API
    /// without hosting jobs) and its own job index.
    /// </summary>
    public static AkkaConfigurationBuilder AddBuildFarm(this AkkaConfigurationBuilder builder, FarmSettings settings) =>
        builder.WithActors((system, registry, _) =>
        {
            var worker = settings.HasRole(WorkerRole);
            var queueProxy = system.ActorOf(ClusterSingletonProxy.Props("/user/build-queue",
                ClusterSingletonProxySettings.Create(system).WithRole(WorkerRole)), "build-queue-proxy");
            var poolProxy = system.ActorOf(ClusterSingletonProxy.Props("/user/server-pool",
                ClusterSingletonProxySettings.Create(system).WithRole(WorkerRole)), "server-pool-proxy");

            var sharding = ClusterSharding.Get(system);
            IActorRef jobs;
            if (worker)
            {
                jobs = sharding.Start("build-job",
                    id => BuildJobActor.Props(id, settings, queueProxy, poolProxy),
                    ClusterShardingSettings.Create(system).WithRole(WorkerRole).WithRememberEntities(true),
                    new JobMessageExtractor(JobShards));
                system.ActorOf(ClusterSingletonManager.Props(QueueActor.Props(settings, jobs, poolProxy),
                    PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(WorkerRole)), "build-queue");
                system.ActorOf(ClusterSingletonManager.Props(ServerPoolActor.Props(settings, queueProxy),
                    PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(WorkerRole)), "server-pool");
                PauseDispatchOnShutdown(system);
            }
            else
            {
                jobs = sharding.StartProxy("build-job", WorkerRole, new JobMessageExtractor(JobShards));
            }

            registry.Register<BuildQueue>(queueProxy);
            registry.Register<ServerPool>(poolProxy);
            registry.Register<BuildJobs>(jobs);
            registry.Register<JobIndex>(system.ActorOf(JobIndexActor.Props(), "job-index"));
        });

    /// <summary>
    /// A node that is stopped first stops placing jobs (if it hosts the queue), then leaves the
    /// cluster and hands its singletons and shards over (Akka's own later phases).
    /// </summary>
    private static void PauseDispatchOnShutdown(ActorSystem system) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "pause-dispatch", async () =>
        {
            try
            {
                var local = await system.ActorSelection("/user/build-queue/singleton").ResolveOne(TimeSpan.FromSeconds(1));
                await local.Ask<QueueReplies.Paused>(QueueCommands.PauseDispatch.Instance, TimeSpan.FromSeconds(3));
            }
            catch (Exception) { /* the queue lives on another node, or is already gone */ }
            return Akka.Done.Instance;
        });
}
