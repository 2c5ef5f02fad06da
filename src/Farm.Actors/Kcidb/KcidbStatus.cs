using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Kcidb;

/// <summary>
/// A job's state as a KCIDB build status, as KernelCI maps its own: the tree's fault is FAIL, the
/// farm's is ERROR, a timeout is MISS (docs/kcidb.md has the table and the reasons).
/// </summary>
public static class KcidbStatus
{
    public const string Pass = "PASS", Fail = "FAIL", Error = "ERROR", Miss = "MISS", Skip = "SKIP";

    /// <summary>The build's status, or null while the job has not ended (the schema's "data is missing").</summary>
    public static string? OfBuild(JobStatus status, JobFailure? failure) => status switch
    {
        JobStatus.Completed => Pass,
        JobStatus.Failed => failure?.Kind switch
        {
            FailureKind.Build => Fail,
            FailureKind.Timeout => Miss,
            // Infrastructure is ours; Limit is the farm refusing the output (a cap or a rule), so the tree's status is unknown too.
            _ => Error,
        },
        // Cancelled by a person: it did not run to the end and says nothing about the code; SKIP is the
        // lowest-priority status, so it never masks a real result in a summary.
        JobStatus.Cancelled => Skip,
        _ => null,
    };

    public static string OfBoot(BootStatus status) => status == BootStatus.Pass ? Pass : Fail;
}
