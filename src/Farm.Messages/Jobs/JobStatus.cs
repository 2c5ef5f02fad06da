namespace KernelFarm.Messages.Jobs;

public enum JobStatus
{
    Queued, Assigned, Preparing, Configuring, Building, Collecting, Booting, Transferring,
    Completed, Failed, Cancelled,
}

public static class JobStatusExtensions
{
    public static bool IsTerminal(this JobStatus s) => s is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>Running on a server: the remote process group may exist.</summary>
    public static bool IsOnServer(this JobStatus s) => s is >= JobStatus.Assigned and <= JobStatus.Transferring;
}
