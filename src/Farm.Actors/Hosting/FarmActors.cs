namespace KernelFarm.Actors.Hosting;

/// <summary>ActorRegistry keys for the farm's top-level actors.</summary>
public sealed class BuildQueue;
public sealed class ServerPool;
public sealed class BuildJobs;
public sealed class JobIndex;
