namespace KernelFarm.Messages.Jobs;

/// <summary>Messages to one job's BuildJobActor (through the shard region).</summary>
public static class BuildJobCommands
{
    /// <summary>From the queue: record the accepted job. Idempotent.</summary>
    public sealed record Create(string JobId, BuildJobRequest Request, DateTimeOffset At) : IWithJobId;

    /// <summary>From the queue: a slot is reserved; run the job there. Idempotent per attempt.</summary>
    public sealed record Start(string JobId, Placement Placement, int Attempt) : IWithJobId;

    public sealed record Cancel(string JobId) : IWithJobId;

    public sealed record Get(string JobId) : IWithJobId;
}

public static class BuildJobReplies
{
    public sealed record Created(JobRecord Job) : IWithJobId
    {
        public string JobId => Job.Id;
    }

    public sealed record Started(string JobId, int Attempt) : IWithJobId;

    public sealed record JobView(JobRecord Job) : IFarmMessage;

    public sealed record NotFound(string JobId) : IWithJobId;

    /// <summary>Cancel of a job that already ended.</summary>
    public sealed record AlreadyFinished(JobRecord Job) : IFarmMessage;
}
