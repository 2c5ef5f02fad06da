namespace KernelFarm.Messages.Jobs;

/// <summary>One try of a job on one server; infrastructure failures start another.</summary>
public sealed record AttemptRecord(int Attempt, string ServerId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, JobFailure? Failure);
