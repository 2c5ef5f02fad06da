namespace KernelFarm.Actors.Hosting;

/// <summary>ActorRegistry keys for the farm's top-level actors (the queue and the pool: their singleton proxies).</summary>
public sealed class BuildQueue;
public sealed class ServerPool;
public sealed class BuildJobs;
public sealed class JobIndex;
public sealed class BuildPlans;
public sealed class BuildBisections;

/// <summary>ActorRegistry keys of the singleton managers on worker nodes.</summary>
public sealed class BuildQueueManager;
public sealed class ServerPoolManager;
