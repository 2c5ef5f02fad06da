using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using KernelFarm.Actors.Bisections;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Plans;
using KernelFarm.Actors.Queue;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Queue;

namespace KernelFarm.Actors.Hosting;

public static class FarmAkkaExtensions
{
    public const int JobShards = 100;
    public const string WorkerRole = "worker", GatewayRole = "gateway";
    public const string QueueName = "build-queue", PoolName = "server-pool", JobsName = "build-job", PlansName = "build-plan", BisectionsName = "bisection";

    /// <summary>
    /// Starts the farm's actors on this node (Akka.Hosting's names: the queue singleton is
    /// /user/build-queue/build-queue, its proxy /user/build-queue-proxy). Worker nodes host the queue and pool singletons and
    /// the job shards; every node gets proxies to them (so a gateway-only node serves the API
    /// without hosting jobs) and its own job index. The proxies come first: the job region and the
    /// singletons are built with them (from the registry).
    /// </summary>
    public static AkkaConfigurationBuilder AddBuildFarm(this AkkaConfigurationBuilder builder, FarmSettings settings)
    {
        var singleton = new ClusterSingletonOptions { Role = WorkerRole, TerminationMessage = HandOff.Instance };
        builder
            .WithSingletonProxy<BuildQueue>(QueueName, singleton)
            .WithSingletonProxy<ServerPool>(PoolName, singleton);
        if (settings.HasRole(WorkerRole))
        {
            builder
                .WithShardRegion<BuildJobs>(JobsName,
                    (system, registry, _) => id => BuildJobActor.Props(id, settings, registry.Get<BuildQueue>(), registry.Get<ServerPool>(),
                        index: registry.TryGet<JobIndex>(out var index) ? index : null,
                        announce: Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator),
                    new JobMessageExtractor(JobShards), RememberedShards())
                // Plans as jobs: a plan whose builds were not all queued, or still run, resumes after a restart.
                .WithShardRegion<BuildPlans>(PlansName,
                    (system, registry, _) => id => PlanActor.Props(id, settings, registry.Get<BuildQueue>(), registry.Get<BuildJobs>(),
                        Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator),
                    new PlanMessageExtractor(JobShards), RememberedShards())
                // Bisections too: a restarted one queues what it had planned and watches its jobs again.
                .WithShardRegion<BuildBisections>(BisectionsName,
                    (system, registry, _) => id => BisectionActor.Props(id, settings, registry.Get<BuildQueue>(), registry.Get<BuildJobs>(),
                        registry.Get<ServerPool>(), Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator),
                    new BisectionMessageExtractor(JobShards), RememberedShards())
                .WithSingleton<BuildQueueManager>(QueueName,
                    (_, registry, _) => QueueActor.Props(settings, registry.Get<BuildJobs>(), registry.Get<ServerPool>()), singleton, createProxyToo: false)
                .WithSingleton<ServerPoolManager>(PoolName,
                    (_, registry, _) => ServerPoolActor.Props(settings, registry.Get<BuildQueue>()), singleton, createProxyToo: false)
                .AddStartup((system, _) => PauseDispatchOnShutdown(system));
        }
        else
        {
            builder.WithShardRegionProxy<BuildJobs>(JobsName, WorkerRole, new JobMessageExtractor(JobShards))
                .WithShardRegionProxy<BuildPlans>(PlansName, WorkerRole, new PlanMessageExtractor(JobShards))
                .WithShardRegionProxy<BuildBisections>(BisectionsName, WorkerRole, new BisectionMessageExtractor(JobShards));
        }
        return builder.WithActors((system, registry, _) =>
            registry.Register<JobIndex>(system.ActorOf(JobIndexActor.Props(JobIndexStorage.For(settings), legacyTags: JobIndexStorage.LegacyTags(settings)), "job-index")));
    }

    /// <summary>
    /// Shards on worker nodes whose entities are remembered: a restarted cluster restarts every job
    /// (and plan) that was running. Remembered in the journal (own tables, FarmPersistence); ddata
    /// durable needs LightningDB, whose served version is incompatible here.
    /// </summary>
    private static ShardOptions RememberedShards() => new()
    {
        Role = WorkerRole,
        HandOffStopMessage = HandOff.Instance,
        RememberEntities = true,
        RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        StateStoreMode = StateStoreMode.Persistence,
        JournalPluginId = FarmPersistence.ShardingJournal,
        SnapshotPluginId = FarmPersistence.ShardingSnapshots,
        ShouldPassivateIdleEntities = false,
    };

    /// <summary>
    /// A node that is stopped first stops placing jobs (if it hosts the queue), then leaves the
    /// cluster and hands its singletons and shards over (Akka's own later phases).
    /// </summary>
    private static void PauseDispatchOnShutdown(ActorSystem system) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "pause-dispatch", async () =>
        {
            try
            {
                var local = await system.ActorSelection($"/user/{QueueName}/{QueueName}").ResolveOne(TimeSpan.FromSeconds(1));
                await local.Ask<QueueReplies.Paused>(QueueCommands.PauseDispatch.Instance, TimeSpan.FromSeconds(3));
            }
            catch (Exception) { /* the queue lives on another node, or is already gone */ }
            return Akka.Done.Instance;
        });
}
