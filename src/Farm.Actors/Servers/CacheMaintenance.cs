using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// The probe's cache part (README "Caches"): keeps a server's git cache under its limit and reports
/// what the caches hold. Past the limit, mirrors are removed least recently used first — only a
/// mirror whose lock is free (no job fetching) and that has no worktree left (no workspace checked
/// out from it; removed workspaces are pruned first). ccache keeps itself under CCACHE_MAXSIZE.
/// </summary>
public static partial class CacheMaintenance
{
    /// <summary>The line that starts the cache part of the probe's output.</summary>
    public const string Section = "kfarm-probe-caches";
    private const string Git = "kfarm-git", Ccache = "kfarm-ccache", Evicted = "kfarm-evicted", Tree = "kfarm-tree";

    [GeneratedRegex(@"^[A-Za-z0-9._-]+\.git\z")] private static partial Regex MirrorName();
    [GeneratedRegex(@"^[0-9a-f]{24}\z")] private static partial Regex TreeName();

    /// <summary>POSIX sh that evicts, then prints one line per mirror and ccache's size; always exits 0.</summary>
    public static string Command(BuildServer server)
    {
        var root = GitCache.RootFor(server);
        var limitKb = ((long)server.GitCacheLimitMb * 1024).ToString(CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        void L(string line) => s.Append(line).Append('\n');
        L($"echo {Section}");
        // The probe's earlier parts share this shell (the toolchain scan sets IFS=:): default splitting here.
        L("unset IFS");
        L($"kfarm_c={Quote(root)}");
        L("if [ -d \"$kfarm_c/git\" ]; then");
        L("  kfarm_total=$(du -sk \"$kfarm_c/git\" | cut -f1)");
        L($"  if [ \"$kfarm_total\" -gt {limitKb} ]; then");
        L("    for kfarm_m in \"$kfarm_c\"/git/*.git; do");
        L($"      [ -d \"$kfarm_m\" ] && printf '%s %s\\n' \"$(stat -c %Y \"$kfarm_m/{GitCache.LastUsedFile}\" 2>/dev/null || echo 0)\" \"$kfarm_m\"");
        L("    done | sort -n | while read -r kfarm_t kfarm_m; do");
        L($"      [ \"$kfarm_total\" -gt {limitKb} ] || break");
        L("      kfarm_s=$(du -sk \"$kfarm_m\" | cut -f1)");
        // The job's lock file stays: a job waiting on it must find the mirror gone, not a second lock.
        L("      if ( flock -n 9 || exit 1");
        L("           git -C \"$kfarm_m\" worktree prune 2>/dev/null");
        L("           [ \"$(git -C \"$kfarm_m\" worktree list --porcelain 2>/dev/null | grep -c '^worktree ')\" -le 1 ] || exit 1");
        L("           rm -rf \"$kfarm_m\" ) 9>>\"$kfarm_m.lock\"; then");
        L($"        kfarm_total=$((kfarm_total - kfarm_s)); echo \"{Evicted} ${{kfarm_m##*/}}\"");
        L("      fi");
        L("    done");
        L("  fi");
        L("  for kfarm_m in \"$kfarm_c\"/git/*.git; do");
        L($"    [ -d \"$kfarm_m\" ] && printf '{Git} %s %s %s\\n' \"$(du -sk \"$kfarm_m\" | cut -f1)\" \"$(stat -c %Y \"$kfarm_m/{GitCache.LastUsedFile}\" 2>/dev/null || echo 0)\" \"${{kfarm_m##*/}}\"");
        L("  done");
        L("fi");
        L($"[ -d \"$kfarm_c/ccache\" ] && printf '{Ccache} %s\\n' \"$(du -sk \"$kfarm_c/ccache\" | cut -f1)\"");
        // Series trees (SeriesTree): under the same limit, least recently kept first. A tree in use
        // was renamed into its job's workspace, so what is here is idle; half-made ones of a killed job go after an hour.
        L($"if [ -d \"$kfarm_c/{SeriesTree.Folder}\" ]; then");
        L($"  find \"$kfarm_c/{SeriesTree.Folder}\" -mindepth 1 -maxdepth 1 -type d \\( -name '*.new.*' -o -name '*.old.*' \\) -mmin +60 -exec rm -rf {{}} + 2>/dev/null");
        L($"  kfarm_total=$(du -sk \"$kfarm_c/{SeriesTree.Folder}\" | cut -f1)");
        L($"  for kfarm_m in \"$kfarm_c\"/{SeriesTree.Folder}/*; do case ${{kfarm_m##*/}} in *.*) continue ;; esac; [ -d \"$kfarm_m\" ] && printf '%s %s\\n' \"$(stat -c %Y \"$kfarm_m\")\" \"$kfarm_m\"; done |");
        L("  sort -n | while read -r kfarm_t kfarm_m; do");
        L($"    [ \"$kfarm_total\" -gt {limitKb} ] || break");
        L("    kfarm_s=$(du -sk \"$kfarm_m\" | cut -f1)");
        L($"    mv -T \"$kfarm_m\" \"$kfarm_m.old.evict\" 2>/dev/null && rm -rf \"$kfarm_m.old.evict\" && kfarm_total=$((kfarm_total - kfarm_s)) && echo \"{Evicted} {SeriesTree.AffinityPrefix}${{kfarm_m##*/}}\"");
        L("  done");
        L($"  for kfarm_m in \"$kfarm_c\"/{SeriesTree.Folder}/*; do case ${{kfarm_m##*/}} in *.*) continue ;; esac; [ -d \"$kfarm_m\" ] && printf '{Tree} %s %s %s\\n' \"$(du -sk \"$kfarm_m\" | cut -f1)\" \"$(stat -c %Y \"$kfarm_m\")\" \"${{kfarm_m##*/}}\"; done");
        L("fi");
        L(":");
        return s.ToString();
    }

    /// <summary>The cache part of the output; lines without a marker or with a malformed field are ignored.</summary>
    public static ServerCaches Parse(string output)
    {
        var repositories = new List<CachedRepository>();
        var evicted = new List<string>();
        var trees = new List<CachedRepository>();
        long? ccache = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (f[0])
            {
                case Git when f.Length == 4 && long.TryParse(f[1], CultureInfo.InvariantCulture, out var kb) && long.TryParse(f[2], CultureInfo.InvariantCulture, out var t)
                                            && MirrorName().IsMatch(f[3]):
                    repositories.Add(new CachedRepository(f[3], kb * 1024, t > 0 ? DateTimeOffset.FromUnixTimeSeconds(t) : null));
                    break;
                case Ccache when f.Length == 2 && long.TryParse(f[1], CultureInfo.InvariantCulture, out var ckb):
                    ccache = ckb * 1024;
                    break;
                case Evicted when f.Length == 2 && (MirrorName().IsMatch(f[1]) || f[1].StartsWith(SeriesTree.AffinityPrefix, StringComparison.Ordinal) && TreeName().IsMatch(f[1][SeriesTree.AffinityPrefix.Length..])):
                    evicted.Add(f[1]);
                    break;
                case Tree when f.Length == 4 && long.TryParse(f[1], CultureInfo.InvariantCulture, out var tkb) && long.TryParse(f[2], CultureInfo.InvariantCulture, out var tt)
                                             && TreeName().IsMatch(f[3]):
                    trees.Add(new CachedRepository(f[3], tkb * 1024, tt > 0 ? DateTimeOffset.FromUnixTimeSeconds(tt) : null));
                    break;
            }
        }
        return new ServerCaches(repositories.OrderBy(r => r.Name, StringComparer.Ordinal).ToList(), ccache, evicted,
            trees.OrderBy(r => r.Name, StringComparer.Ordinal).ToList());
    }
}
