using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The build script's ccache lines. Where the server has ccache (and the job did not opt out), the
/// compiler runs as "ccache &lt;compiler&gt;" with one cache per submitter on each server
/// (cache_directory/ccache/&lt;submitter&gt;: a build can write cache entries, so a shared cache would let
/// one submitter's build poison another's objects);
/// CCACHE_BASEDIR makes paths relative to the workspace, so jobs in other workspaces hit each
/// other's objects (<see cref="CompilerFlags"/> keeps the objects the same as without ccache). A per-job stats log counts this build's hits and misses (the cache's own
/// counters are the server's), reported as facts for metadata.json.
/// </summary>
public static class CcacheSteps
{
    /// <summary>The variables the compiler needs from the script's environment (a container build gets them passed).</summary>
    public static readonly IReadOnlyList<string> Variables = ["CCACHE_DIR", "CCACHE_MAXSIZE", "CCACHE_BASEDIR", "CCACHE_NOHASHDIR", "CCACHE_STATSLOG"];

    /// <summary>
    /// Added to the compiler's command line with ccache. CCACHE_BASEDIR has ccache give the compiler
    /// the sources as ../source/… (relative to the build folder, where kbuild compiles) instead of
    /// &lt;workspace&gt;/source/…; kbuild's own -fmacro-prefix-map=$(srctree)/= then no longer matches,
    /// and __FILE__ (in every WARN and BUG) would keep "../source/": a kernel built through ccache
    /// would differ from the same build without it. This maps the relative form the same way.
    /// </summary>
    public const string CompilerFlags = " -fmacro-prefix-map=../source/=";

    /// <summary>This job's stats log, in the build folder (the sandbox writes it; the farm reads it through the sandbox).</summary>
    public const string StatsLog = "build/.kfarm-ccache-stats.log";

    /// <summary>Before the make command is defined: sets KFARM_CCACHE to the compiler prefix, or empty without ccache.</summary>
    public static IEnumerable<string> SetupLines(BuildPlan plan)
    {
        if (plan.CcacheDirectory is null) yield break;
        yield return "KFARM_CCACHE= KFARM_CCACHE_FLAGS=";
        yield return "if command -v ccache >/dev/null 2>&1; then";
        yield return $"  export CCACHE_DIR={Quote(plan.CcacheDirectory)} CCACHE_MAXSIZE={plan.CcacheLimitMb}M CCACHE_BASEDIR=\"$KFARM_WS\" CCACHE_NOHASHDIR=1 CCACHE_STATSLOG=\"$KFARM_WS/{StatsLog}\"";
        yield return "  mkdir -p \"$CCACHE_DIR\" || exit 90";
        yield return $"  KFARM_CCACHE='ccache ' KFARM_CCACHE_FLAGS={Quote(CompilerFlags)}";
        yield return "  fact ccache \"$(ccache --version | head -n 1)\"";
        yield return "else";
        yield return "  echo 'ccache: not installed on this server: building without it'";
        yield return "fi";
    }

    /// <summary>After the last make target: this build's hits and misses.</summary>
    public static IEnumerable<string> StatsLines(BuildPlan plan)
    {
        if (plan.CcacheDirectory is null) yield break;
        yield return "if [ -n \"$KFARM_CCACHE\" ]; then";
        yield return $"  fact ccache_hits \"$(kfarm_sb grep -cxE '(direct|preprocessed)_cache_hit' {StatsLog} 2>/dev/null)\"";
        yield return $"  fact ccache_misses \"$(kfarm_sb grep -cx cache_miss {StatsLog} 2>/dev/null)\"";
        yield return "fi";
    }
}
