using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// What a TuxSuite toolchain name means on this farm, given the toolchains servers offer for the
/// build's architecture (docs/plans.md, "Toolchains"):
/// <list type="bullet">
/// <item><c>gcc-N</c>, <c>clang-N</c>, <c>llvm-N</c>: that toolchain; clang-N and llvm-N stand in
/// for each other (the farm builds both as full LLVM builds, LLVM=-N).</item>
/// <item><c>korg-gcc-N</c>, <c>korg-clang-N</c>, <c>korg-llvm-N</c> (kernel.org's builds): the same
/// version from the servers' own packages.</item>
/// <item><c>gcc</c>, <c>clang</c>, <c>llvm</c>: that name if a server offers it, else the newest
/// version of the family offered.</item>
/// <item><c>clang-nightly</c>: the newest clang or llvm any server offers.</item>
/// <item>anything else (<c>clang-android</c>, <c>rustgcc</c>, …): no server can run it.</item>
/// </list>
/// </summary>
public static partial class TuxToolchains
{
    [GeneratedRegex(@"^(?:korg-)?(gcc|clang|llvm)(?:-(\d{1,3}))?$")]
    private static partial Regex Named();

    /// <summary>The farm toolchain to build with, or why there is none.</summary>
    public static (string? Toolchain, string? Reason) Resolve(string tuxName, IReadOnlyCollection<string> offered)
    {
        if (tuxName == "clang-nightly")
            return Newest(offered, ["clang", "llvm"]) is { } newest
                ? (newest, null)
                : (null, "clang-nightly: no server offers clang or llvm for this architecture");
        var m = Named().Match(tuxName);
        if (!m.Success) return (null, $"toolchain {tuxName} is not one the farm can map (docs/plans.md lists the names)");
        var family = m.Groups[1].Value;
        var families = family == "gcc" ? new[] { "gcc" } : family == "clang" ? ["clang", "llvm"] : ["llvm", "clang"];
        if (m.Groups[2].Success)
        {
            var version = m.Groups[2].Value;
            foreach (var f in families)
                if (offered.Contains($"{f}-{version}")) return ($"{f}-{version}", null);
            return (null, $"toolchain {tuxName}: no server offers {string.Join(" or ", families.Select(f => $"{f}-{version}"))} for this architecture");
        }
        if (offered.Contains(family)) return (family, null);
        return Newest(offered, families) is { } found
            ? (found, null)
            : (null, $"toolchain {tuxName}: no server offers {string.Join(" or ", families)} for this architecture");
    }

    private static string? Newest(IReadOnlyCollection<string> offered, string[] families) =>
        offered.Select(name => (name, m: Named().Match(name)))
            .Where(x => x.m.Success && !x.name.StartsWith("korg-", StringComparison.Ordinal) && families.Contains(x.m.Groups[1].Value))
            .OrderByDescending(x => x.m.Groups[2].Success ? int.Parse(x.m.Groups[2].Value) : -1)
            .ThenBy(x => Array.IndexOf(families, x.m.Groups[1].Value))
            .Select(x => x.name)
            .FirstOrDefault();
}
