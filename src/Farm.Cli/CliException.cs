namespace KernelFarm.Cli;

/// <summary>An error kfarm reports as <c>kfarm: message</c> on stderr and ends with <see cref="ExitCode"/>.</summary>
public class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
    public static CliException Failure(string message) => new(ExitCodes.Failure, message);
    public static CliException NotFound(string message) => new(ExitCodes.NotFound, message);
}
