using KernelFarm.Actors.Bisections;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// A bisection's listing step (<see cref="BuildPlan.ListRange"/>): with the mirror fetched and locked,
/// resolve good and bad (a full commit id the mirror has, else fetched by name: branch, tag or commit),
/// check that good is an ancestor of bad, and write the first-parent range into
/// <c>artifacts/bisect/range.tsv</c> (<see cref="RangeFile"/>). Nothing is checked out and nothing of
/// the repository runs: git reads objects only, in the farm's own mirror.
/// </summary>
public static class RangeListingScript
{
    /// <summary>Lines the listing prints for the bisection to quote when it fails.</summary>
    public const string Prefix = "kfarm: bisect: ";

    private const string Format = "--format=%H%x09%an <%ae>%x09%s";

    public static IEnumerable<string> Lines(BuildPlan plan)
    {
        var listing = plan.ListRange ?? throw new ArgumentException("the plan lists no range", nameof(plan));
        var git = "git -C \"$KFARM_MIRROR\"";
        yield return "step building";
        foreach (var (name, value) in new[] { ("GOOD", listing.Good), ("BAD", listing.Bad) })
        {
            var variable = "KFARM_" + name;
            yield return $"kfarm_ref={Quote(value)}";
            yield return $"printf '+ resolve {name.ToLowerInvariant()} %s\\n' \"$kfarm_ref\"";
            yield return $"{variable}=";
            // A commit id (at least 7 hex digits) the mirror has; else fetched by name: a branch, a tag, a full commit id.
            yield return $"case $kfarm_ref in *[!0-9a-f]*) kfarm_hex= ;; *) kfarm_hex=${{#kfarm_ref}} ;; esac";
            yield return $"if [ \"${{kfarm_hex:-0}}\" -ge 7 ] && {variable}=$({git} rev-parse --verify -q \"$kfarm_ref^{{commit}}\"); then :";
            yield return $"elif {git} fetch -q --no-tags origin \"$kfarm_ref\"; then {variable}=$({git} rev-parse --verify -q 'FETCH_HEAD^{{commit}}'); fi";
            yield return $"[ -n \"${variable}\" ] || {{ printf '{Prefix}{name.ToLowerInvariant()}: %s is neither a commit nor a ref of the repository\\n' \"$kfarm_ref\"; exit 1; }}";
        }
        yield return $"{git} merge-base --is-ancestor \"$KFARM_GOOD\" \"$KFARM_BAD\" || {{ printf '{Prefix}the good commit %s is not an ancestor of the bad commit %s\\n' \"$KFARM_GOOD\" \"$KFARM_BAD\"; exit 1; }}";
        yield return $"KFARM_N=$({git} rev-list --first-parent --count \"$KFARM_GOOD..$KFARM_BAD\") || exit $?";
        yield return $"[ \"$KFARM_N\" -gt 0 ] || {{ printf '{Prefix}good and bad are the same commit %s\\n' \"$KFARM_BAD\"; exit 1; }}";
        yield return $"[ \"$KFARM_N\" -le {listing.MaxCommits} ] || {{ printf '{Prefix}the range holds %s first-parent commits, more than {listing.MaxCommits}\\n' \"$KFARM_N\"; exit 1; }}";
        yield return "mkdir -p artifacts/bisect || exit 90";
        // Names and subjects are the repository's text: control characters other than tab and newline go.
        yield return $"{{ {git} log -1 --no-decorate '{Format}' \"$KFARM_GOOD\" && {git} log --first-parent --reverse --no-decorate '{Format}' \"$KFARM_GOOD..$KFARM_BAD\"; }} | tr -d '\\000-\\010\\013-\\037\\177' > artifacts/{RangeFile.ArtifactPath} || exit $?";
        yield return $"touch \"$KFARM_MIRROR/{GitCache.LastUsedFile}\"";
        yield return "exec 8>&-";
        yield return $"printf '{Prefix}%s first-parent commits from %s (good) to %s (bad)\\n' \"$KFARM_N\" \"$KFARM_GOOD\" \"$KFARM_BAD\"";
    }
}
