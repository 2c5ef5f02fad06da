namespace KernelFarm.Cli.Output;

/// <summary>A yes/no question on the terminal; "y" or "yes" is yes, anything else (or end of input) no.</summary>
public static class Prompt
{
    public static bool CanAsk => !Console.IsInputRedirected;

    public static bool Confirm(TextWriter writer, string question)
    {
        writer.Write($"{question} [y/N] ");
        writer.Flush();
        return IsYes(Console.ReadLine());
    }

    public static bool IsYes(string? answer) => answer?.Trim().ToLowerInvariant() is "y" or "yes";
}
