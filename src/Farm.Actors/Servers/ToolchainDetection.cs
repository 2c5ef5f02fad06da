using System.Text.RegularExpressions;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// Which compilers a build server really has: the probe lists gcc/clang binaries on the build
/// user's PATH with their versions, and this names them the way jobs name toolchains
/// (gcc-12, clang-14) with the architectures each can build for.
/// </summary>
public static partial class ToolchainDetection
{
    /// <summary>Prints "command version&lt;TAB&gt;first --version line" per compiler found on PATH (POSIX sh; no user input in it).</summary>
    public const string Command =
        "IFS=:; for d in $PATH; do ls -1 \"$d\" 2>/dev/null; done | sort -u | " +
        "grep -E '^((x86_64|i686|aarch64|arm|riscv64)-linux-gnu(eabi|eabihf)?-)?gcc(-[0-9]+)?$|^clang(-[0-9]+)?$' | " +
        "while read -r c; do printf '%s %s\\t%s\\n' \"$c\" \"$(\"$c\" -dumpversion 2>/dev/null)\" \"$(\"$c\" --version 2>/dev/null | head -n 1)\"; done";

    private static readonly Dictionary<string, string[]> CrossTargets = new()
    {
        ["x86_64-linux-gnu-"] = ["x86_64", "i386"],
        ["i686-linux-gnu-"] = ["i386"],
        ["aarch64-linux-gnu-"] = ["arm64"],
        ["arm-linux-gnueabi-"] = ["arm"],
        ["arm-linux-gnueabihf-"] = ["arm"],
        ["riscv64-linux-gnu-"] = ["riscv64"],
    };

    private static readonly string[] ClangTargets = ["x86_64", "i386", "arm64", "arm", "riscv64"];

    /// <summary>The toolchains in the probe's output; <paramref name="hostArch"/> is `uname -m` (what a native gcc builds).</summary>
    public static IReadOnlyList<DetectedToolchain> Parse(string output, string hostArch)
    {
        var native = hostArch.Trim() switch
        {
            "x86_64" => new[] { "x86_64", "i386" },
            "aarch64" => ["arm64"],
            "riscv64" => ["riscv64"],
            var a when a.StartsWith("arm", StringComparison.Ordinal) => ["arm"],
            _ => [],
        };
        var found = new Dictionary<(string, string), DetectedToolchain>();
        foreach (var raw in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = raw.IndexOf('\t');
            var (line, versionLine) = tab < 0 ? (raw, null) : (raw[..tab].TrimEnd(), raw[(tab + 1)..]);
            var m = CompilerLine().Match(line);
            if (!m.Success) continue;
            var (prefix, kind, version) = (m.Groups["prefix"].Value, m.Groups["kind"].Value, m.Groups["version"].Value);
            var major = version.Split('.')[0];
            if (major.Length == 0) continue; // listed but would not run
            var arches = kind == "clang" ? ClangTargets : prefix.Length == 0 ? native : CrossTargets.GetValueOrDefault(prefix, []);
            if (arches.Length == 0) continue;
            // "gcc" and "gcc-12" are the same toolchain: keep one, named by its major version.
            found[($"{kind}-{major}", prefix)] = new DetectedToolchain($"{kind}-{major}", arches, kind == "clang" ? "" : prefix, version,
                Jobs.Reuse.CompilerIdentity.Of(versionLine));
        }
        return found.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.CrossCompile, StringComparer.Ordinal).ToList();
    }

    /// <summary>Declared toolchains the server does not have (by name, cross prefix and every declared architecture).</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<Toolchain> declared, IReadOnlyList<DetectedToolchain> detected) =>
        declared.Where(t => !detected.Any(d => Matches(t, d)))
            .Select(t => t.CrossCompile.Length > 0 ? $"{t.Name} ({t.CrossCompile})" : t.Name).ToList();

    /// <summary>
    /// The exact compiler a build with the declared toolchain runs (<see cref="DetectedToolchain.Identity"/>), or
    /// null when the probe found none or several different ones (an unversioned "gcc" over gcc-11 and gcc-12).
    /// </summary>
    public static string? IdentityFor(Toolchain declared, IReadOnlyList<DetectedToolchain>? detected)
    {
        if (detected is null) return null;
        // llvm-N builds with clang-N (ToolchainMake)
        var asDetected = declared.Name.StartsWith("llvm", StringComparison.Ordinal) ? declared with { Name = "clang" + declared.Name[4..] } : declared;
        var found = detected.Where(d => Matches(asDetected, d)).Select(d => d.Identity).Distinct().ToList();
        return found is [{ } one] ? one : null;
    }

    private static bool Matches(Toolchain declared, DetectedToolchain d) =>
        (declared.Name == d.Name || declared.Name == d.Name.Split('-')[0])
        && (d.Name.StartsWith("clang", StringComparison.Ordinal) || declared.CrossCompile == d.CrossCompile)
        && declared.TargetArchitectures.All(a => d.TargetArchitectures.Contains(a));

    [GeneratedRegex(@"^(?<prefix>[a-z0-9_]+-linux-gnu(eabi|eabihf)?-)?(?<kind>gcc|clang)(-\d+)? (?<version>\d+(\.\d+)*)$")]
    private static partial Regex CompilerLine();
}
