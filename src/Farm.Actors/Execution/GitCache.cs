using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The per-server git object cache: one bare mirror per repository URL under
/// <c>&lt;cache&gt;/git/</c>. A job fetches what is new into the mirror and checks its commit out as a
/// worktree of it, so setting up a workspace of a big tree costs the fetch of what changed and the
/// checkout, not a clone. Jobs of one repository on one server take the mirror's lock (flock) for
/// the fetch and the worktree's registration only; the checkout runs unlocked. A registered
/// worktree protects its commit from eviction and from git's own pruning; the farm's workspace
/// removal leaves a stale entry that the next job's <c>git worktree prune</c> drops.
/// </summary>
public static partial class GitCache
{
    /// <summary>The default cache directory inside the server's workspace root.</summary>
    public const string DefaultDirectoryName = ".kfarm-cache";
    /// <summary>Touched by every job that uses a mirror: eviction removes the least recently used first.</summary>
    public const string LastUsedFile = "kfarm-last-used";

    [GeneratedRegex("[^A-Za-z0-9._-]+")] private static partial Regex Unsafe();

    /// <summary>Where a server keeps its caches: cache_directory, else &lt;workspace_root&gt;/.kfarm-cache.</summary>
    public static string RootFor(BuildServer server) =>
        server.CacheDirectory ?? $"{server.WorkspaceRoot.TrimEnd('/')}/{DefaultDirectoryName}";

    /// <summary>
    /// The mirror's folder name for a repository URL: readable (the URL's last segment) and unique
    /// (a hash of the whole URL), e.g. <c>linux-6.1-3f2a…c4.git</c>. The pool computes the same name
    /// to know which servers hold a repository (cache affinity).
    /// </summary>
    public static string MirrorName(string repositoryUrl)
    {
        var last = repositoryUrl.TrimEnd('/').Split('/', ':').Last();
        if (last.EndsWith(".git", StringComparison.Ordinal)) last = last[..^4];
        var slug = Unsafe().Replace(last, "-").Trim('-', '.');
        if (slug.Length > 40) slug = slug[..40];
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repositoryUrl)))[..16];
        return $"{(slug.Length > 0 ? slug + "-" : "")}{hash}.git";
    }

    public static string MirrorPath(string cacheRoot, string repositoryUrl) => $"{cacheRoot}/git/{MirrorName(repositoryUrl)}";

    /// <summary>
    /// The preparing step's checkout through the mirror <see cref="BuildPlan.GitMirror"/>: lines of the
    /// build script (its <c>run</c> helper exits on failure), ending with the commit checked out in
    /// <c>$KFARM_WS/source</c>. The job's depth applies to the mirror's fetches.
    /// </summary>
    public static IEnumerable<string> CheckoutLines(BuildPlan plan)
    {
        foreach (var line in FetchLines(plan)) yield return line;
        foreach (var line in WorktreeLines(plan)) yield return line;
    }

    /// <summary>
    /// The mirror made if missing and fetched, with its lock held (fd 8) and <c>$KFARM_REV</c> naming the
    /// job's commit. A bisection's listing step reads the history here and checks nothing out.
    /// </summary>
    public static IEnumerable<string> FetchLines(BuildPlan plan)
    {
        var mirror = plan.GitMirror ?? throw new ArgumentException("the plan has no git mirror", nameof(plan));
        var depth = plan.GitDepth > 0 ? $"--depth {plan.GitDepth} " : "";
        var branchRef = Quote($"+refs/heads/{plan.Branch}:refs/heads/{plan.Branch}");
        yield return $"KFARM_MIRROR={Quote(mirror)}";
        yield return "mkdir -p \"${KFARM_MIRROR%/*}\" && exec 8>>\"$KFARM_MIRROR.lock\" || exit $?";
        yield return "printf '+ flock %s\\n' \"$KFARM_MIRROR.lock\"";
        yield return "flock -w 3600 8 || { echo 'kfarm: the git cache stayed locked for an hour'; exit 75; }";
        // Made whole under another name and renamed: a job killed half-way (cancel, time limit,
        // a failure elsewhere) leaves no mirror without its origin for the next job to trip on.
        yield return "if [ ! -f \"$KFARM_MIRROR/HEAD\" ] || ! git -C \"$KFARM_MIRROR\" config remote.origin.url >/dev/null; then";
        yield return "  rm -rf \"$KFARM_MIRROR\" \"$KFARM_MIRROR.new\"";
        yield return "  run git init -q --bare \"$KFARM_MIRROR.new\"";
        yield return $"  run git -C \"$KFARM_MIRROR.new\" config remote.origin.url {Quote(plan.SourceRepository)}";
        yield return "  run mv \"$KFARM_MIRROR.new\" \"$KFARM_MIRROR\"";
        yield return "fi";
        // A fetch killed with SIGKILL leaves git's lock files behind; holding the flock, no other
        // job's git writes here (a worktree's own locks live under worktrees/ and stay).
        yield return "rm -f \"$KFARM_MIRROR\"/*.lock; find \"$KFARM_MIRROR/refs\" -name '*.lock' -type f -delete";
        // A full-history job (depth 0) deepens a mirror that earlier shallow jobs made.
        var unshallow = plan.GitDepth > 0 ? "" : "$([ -f \"$KFARM_MIRROR/shallow\" ] && echo --unshallow) ";
        var fetch = $"run git -C \"$KFARM_MIRROR\" fetch -q --no-tags {depth}{unshallow}origin {branchRef}";
        if (plan.CommitHash.Equals("HEAD", StringComparison.OrdinalIgnoreCase))
        {
            yield return fetch;
            yield return $"KFARM_REV={Quote("refs/heads/" + plan.Branch)}";
            yield break;
        }
        var sha = Quote(plan.CommitHash);
        if (FullCommit().IsMatch(plan.CommitHash))
        {
            // A commit named in full that the mirror has is all the job needs: no fetch (a plan's builds, a
            // bisection's steps, a rebuild). A full-history job still deepens a shallow mirror.
            var complete = plan.GitDepth > 0 ? "" : " && [ ! -f \"$KFARM_MIRROR/shallow\" ]";
            yield return $"if git -C \"$KFARM_MIRROR\" cat-file -e {sha}^{{commit}} 2>/dev/null{complete}; then";
            yield return "  echo 'kfarm: the git cache has the commit: not fetched'";
            yield return "else";
            yield return "  " + fetch;
            yield return "fi";
        }
        else yield return fetch;
        // Not on the branch's fetched history (moved branch, shallow depth): fetch exactly the commit.
        yield return $"git -C \"$KFARM_MIRROR\" cat-file -e {sha}^{{commit}} 2>/dev/null || run git -C \"$KFARM_MIRROR\" fetch -q --no-tags {depth}origin {sha}";
        yield return $"KFARM_REV={sha}";
    }

    [GeneratedRegex("^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")] private static partial Regex FullCommit();

    private static IEnumerable<string> WorktreeLines(BuildPlan plan)
    {
        var depth = plan.GitDepth > 0 ? $"--depth {plan.GitDepth} " : "";
        yield return "git -C \"$KFARM_MIRROR\" worktree prune";
        yield return "rm -rf source";
        if (plan.Series?.Tree is { } tree)
        {
            // A series takes the tree the last series of its kind left (a rename: it is this job's alone
            // now), and its checkout becomes a few changed files in the sandbox (SeriesScript.Split).
            yield return $"KFARM_TREE={Quote(tree)} KFARM_WARM=";
            yield return "if [ -d \"$KFARM_TREE\" ] && [ \"$(stat -c %d \"${KFARM_TREE%/*}\")\" = \"$(stat -c %d .)\" ] && mv -T \"$KFARM_TREE\" warm 2>/dev/null; then";
            yield return "  rm -rf build && mv warm/source source && mv warm/build build && rm -rf warm && KFARM_WARM=1";
            yield return "  echo 'kfarm: the tree of an earlier series of this kind is here: building from it'";
            yield return "fi";
            yield return "[ -n \"$KFARM_WARM\" ] || run git -C \"$KFARM_MIRROR\" worktree add -q --no-checkout --detach \"$KFARM_WS/source\" \"$KFARM_REV\"";
        }
        else yield return "run git -C \"$KFARM_MIRROR\" worktree add -q --no-checkout --detach \"$KFARM_WS/source\" \"$KFARM_REV\"";
        yield return $"touch \"$KFARM_MIRROR/{LastUsedFile}\"";
        yield return "exec 8>&-  # the checkout needs no lock: the registered worktree keeps its commit";
        // A warm tree was written by builds: the agent runs no git in it (its .git could be anything).
        yield return plan.Series?.Tree is not null ? "[ -n \"$KFARM_WARM\" ] || run git -C source reset -q --hard" : "run git -C source reset -q --hard";
        if (plan.GitSubmodules)
            yield return $"run git -C source submodule update -q --init --recursive {depth}".TrimEnd();
    }
}
