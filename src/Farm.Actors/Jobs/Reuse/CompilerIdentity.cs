using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Jobs.Reuse;

/// <summary>
/// A compiler's exact build from its first <c>--version</c> line. gcc names itself by the program that
/// was run ("gcc-12 (Debian 12.2.0-14) 12.2.0", "aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0"):
/// that word is replaced by "gcc", so the same compiler has one identity whichever name ran it.
/// clang's line names no program ("Debian clang version 14.0.6") and is kept as it is.
/// </summary>
public static partial class CompilerIdentity
{
    public const int MaxLength = 200;

    public static string? Of(string? versionLine)
    {
        var line = versionLine?.Trim();
        if (string.IsNullOrEmpty(line) || line.Length > MaxLength) return null;
        return GccProgram().Replace(line, "gcc (", 1);
    }

    [GeneratedRegex(@"^\S*gcc(-\d+)? \(")]
    private static partial Regex GccProgram();
}
