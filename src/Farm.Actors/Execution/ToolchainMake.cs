using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// What a toolchain name (gcc, gcc-12, clang, clang-14, llvm-14) means on kbuild's command line.
/// gcc-N compiles with <c>&lt;cross&gt;gcc-N</c> (Debian installs versioned compilers side by side);
/// clang and llvm are full LLVM builds: <c>LLVM=1</c> uses the unversioned clang/ld.lld/llvm-*,
/// <c>LLVM=-N</c> their <c>-N</c> names (kbuild's version suffix, Linux 5.18 and later).
/// </summary>
public static class ToolchainMake
{
    public static bool IsLlvm(string toolchain) =>
        toolchain.StartsWith("clang", StringComparison.Ordinal) || toolchain.StartsWith("llvm", StringComparison.Ordinal);

    /// <summary>"-14" for clang-14, "" for an unversioned name (the validator allows only digits after '-').</summary>
    public static string VersionSuffix(string toolchain) =>
        toolchain.IndexOf('-') is var i and >= 0 ? toolchain[i..] : "";

    /// <summary>
    /// The make variables the farm sets for the toolchain, each a quoted shell word. With
    /// <paramref name="ccacheVariable"/> (a shell variable holding "ccache " or nothing, decided on the
    /// server) CC is always set, to that prefix, the compiler kbuild would run anyway and the
    /// variable <c>&lt;ccacheVariable&gt;_FLAGS</c> (<see cref="CcacheSteps.CompilerFlags"/> or nothing).
    /// </summary>
    public static IReadOnlyList<string> Variables(string toolchain, string crossCompile, string? ccacheVariable = null, string? wrapper = null)
    {
        var words = new List<string>();
        if (crossCompile.Length > 0) words.Add($"CROSS_COMPILE={Quote(crossCompile)}");
        var suffix = VersionSuffix(toolchain);
        if (IsLlvm(toolchain)) words.Add(suffix.Length > 0 ? $"LLVM={Quote(suffix)}" : "LLVM=1");
        // A wrapper (a shell word, expanded by the script) runs before the compiler and ccache: SeriesScript's diagnostics keeper.
        var prefix = wrapper is null ? "" : wrapper + " ";
        if (ccacheVariable is not null)
            words.Add($"\"CC={prefix}${{{ccacheVariable}}}\"{Quote(CompilerName(toolchain, crossCompile))}\"${{{ccacheVariable}_FLAGS}}\"");
        else if (wrapper is not null) words.Add($"\"CC={prefix}\"{Quote(CompilerName(toolchain, crossCompile))}");
        else if (!IsLlvm(toolchain) && suffix.Length > 0) words.Add(Quote($"CC={crossCompile}gcc{suffix}"));
        return words;
    }

    /// <summary>The compiler kbuild runs for the toolchain (a quoted shell word), whose version metadata.json reports.</summary>
    public static string Compiler(string toolchain, string crossCompile) => Quote(CompilerName(toolchain, crossCompile));

    private static string CompilerName(string toolchain, string crossCompile) =>
        IsLlvm(toolchain) ? "clang" + VersionSuffix(toolchain) : $"{crossCompile}gcc{VersionSuffix(toolchain)}";
}
