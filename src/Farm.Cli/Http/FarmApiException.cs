namespace KernelFarm.Cli.Http;

/// <summary>The farm answered with an error status; the exit code follows from the status.</summary>
public sealed class FarmApiException(int status, string message)
    : CliException(ExitCodes.ForHttpStatus(status), message)
{
    public int Status { get; } = status;
}
