namespace KernelFarm.Messages.Jobs;

/// <summary>
/// Tells a build failure (the user's tree) from an infrastructure failure (ours), a timeout and a
/// limit: the job's output broke a central-storage limit or rule (log or artifact cap, an artifact
/// larger than declared, a name the farm refuses). Added last: journals name kinds as strings.
/// </summary>
public enum FailureKind { Build, Infrastructure, Timeout, Limit }

public sealed record JobFailure(FailureKind Kind, string Step, int? ExitCode, string Message);
