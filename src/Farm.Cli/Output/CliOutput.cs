namespace KernelFarm.Cli.Output;

/// <summary>
/// Where kfarm writes. With --json, stdout carries only the API's JSON; progress and notes go to
/// stderr. Live progress displays are drawn only on a terminal.
/// </summary>
public sealed class CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool stdoutIsTerminal, bool stderrIsTerminal)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;
    public bool Json { get; } = json;

    /// <summary>Human progress goes where the human output goes: stdout, or stderr with --json.</summary>
    public TextWriter Progress => Json ? Err : Out;
    public bool ProgressIsTerminal => Json ? stderrIsTerminal : stdoutIsTerminal;

    public static CliOutput ForConsole(bool json) =>
        new(Console.Out, Console.Error, json, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>The farm's JSON answer, as it came.</summary>
    public void WriteJson(string body) => Out.WriteLine(body.TrimEnd());

    public void Note(string message) => Err.WriteLine($"kfarm: {message}");
}
