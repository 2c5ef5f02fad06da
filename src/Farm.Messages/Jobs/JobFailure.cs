namespace KernelFarm.Messages.Jobs;

/// <summary>Tells a build failure (the user's tree) from an infrastructure failure (ours) and a timeout.</summary>
public enum FailureKind { Build, Infrastructure, Timeout }

public sealed record JobFailure(FailureKind Kind, string Step, int? ExitCode, string Message);
