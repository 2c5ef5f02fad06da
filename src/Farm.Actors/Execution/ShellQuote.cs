namespace KernelFarm.Actors.Execution;

/// <summary>POSIX single-quoting: the result is one literal word for sh/bash, whatever the input.</summary>
public static class ShellQuote
{
    public static string Quote(string value)
    {
        if (value.Contains('\0')) throw new ArgumentException("NUL cannot be passed to a shell", nameof(value));
        return "'" + value.Replace("'", "'\\''") + "'";
    }
}
