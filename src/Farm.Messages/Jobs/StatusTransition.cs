namespace KernelFarm.Messages.Jobs;

public sealed record StatusTransition(JobStatus Status, DateTimeOffset At);
