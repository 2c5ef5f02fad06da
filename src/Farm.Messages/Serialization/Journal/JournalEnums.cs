using System.Runtime.Serialization;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// The journal's names of domain enum values, spelled out so that renaming an enum member changes
/// no stored word (the compiler points here instead). Values are only ever added.
/// </summary>
public static class JournalEnums
{
    private static readonly Dictionary<JobStatus, string> Statuses = new()
    {
        [JobStatus.Queued] = "queued", [JobStatus.Assigned] = "assigned", [JobStatus.Preparing] = "preparing",
        [JobStatus.Configuring] = "configuring", [JobStatus.Building] = "building", [JobStatus.Collecting] = "collecting",
        [JobStatus.Booting] = "booting", [JobStatus.Transferring] = "transferring", [JobStatus.Completed] = "completed",
        [JobStatus.Failed] = "failed", [JobStatus.Cancelled] = "cancelled",
    };

    private static readonly Dictionary<FailureKind, string> FailureKinds = new()
    {
        [FailureKind.Build] = "build", [FailureKind.Infrastructure] = "infrastructure",
        [FailureKind.Timeout] = "timeout", [FailureKind.Limit] = "limit",
    };

    private static readonly Dictionary<BootStatus, string> BootStatuses = new() { [BootStatus.Pass] = "pass", [BootStatus.Fail] = "fail" };

    public static string Name(JobStatus s) => Statuses[s];
    public static string Name(FailureKind k) => FailureKinds[k];
    public static string Name(BootStatus s) => BootStatuses[s];

    public static JobStatus ParseStatus(string name) => Parse(Statuses, name, "job status");
    public static FailureKind ParseFailureKind(string name) => Parse(FailureKinds, name, "failure kind");
    public static BootStatus ParseBootStatus(string name) => Parse(BootStatuses, name, "boot status");

    /// <summary>Exhaustive tables: a member added to a domain enum without a journal name fails this check's test.</summary>
    public static bool CoversEveryValue =>
        Enum.GetValues<JobStatus>().All(Statuses.ContainsKey) && Enum.GetValues<FailureKind>().All(FailureKinds.ContainsKey)
        && Enum.GetValues<BootStatus>().All(BootStatuses.ContainsKey);

    private static T Parse<T>(Dictionary<T, string> names, string name, string what) where T : struct, Enum
    {
        foreach (var (value, n) in names)
            if (n == name) return value;
        throw new SerializationException($"the journal names an unknown {what} '{name}'");
    }
}
