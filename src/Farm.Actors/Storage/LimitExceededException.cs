namespace KernelFarm.Actors.Storage;

/// <summary>
/// A job's output broke a storage limit (an artifact larger than its manifest declares): the job
/// fails with kind "limit", not retried (another server would receive the same output).
/// </summary>
public sealed class LimitExceededException(string message) : IOException(message);
