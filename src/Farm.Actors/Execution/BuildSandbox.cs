using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// Where a build's own code runs. The SSH account is the farm's agent on the server: it fetches
/// into the git mirror, keeps the job's records (script, pid, exit, step and fact markers, manifest,
/// environment) in the workspace's top folder, and runs every command that executes or reads what
/// the build controls (make, the tree's scripts, size, the collection of artifacts, the manifest,
/// QEMU) through <c>kfarm_sb</c>, a sandbox that sees only the job's own folders:
/// <list type="bullet">
/// <item>host builds: bubblewrap with new user, pid, mount, network, IPC and UTS namespaces; the
/// system's folders read-only, a private /tmp, no home, no network; the job's
/// <see cref="WritableFolders"/> read-write, its fragments and the git mirror read-only, its
/// submitter's ccache read-write. Killing bwrap ends every process inside (the pid namespace goes),
/// <c>setsid</c> daemons included.</item>
/// <item>container builds: <c>&lt;runtime&gt; run --rm</c> of the job's image with the same folders
/// mounted (nothing else of the workspace), <c>--network=none</c>, all capabilities dropped and
/// no-new-privileges.</item>
/// </list>
/// Each command gets a fresh sandbox: nothing a build leaves running survives its command, and the
/// agent reads build output only after the sandbox that wrote it has ended.
/// </summary>
public static class BuildSandbox
{
    /// <summary>The workspace folders a build may write (created before the first sandboxed command).</summary>
    public static readonly IReadOnlyList<string> WritableFolders = ["source", "build", "artifacts", "boot", "headers"];

    /// <summary>The farm's kconfig fragments for the job (read-only to the build).</summary>
    public const string FragmentsFolder = "fragments";

    /// <summary>The script's exit code when the server cannot sandbox builds: an infrastructure failure, not the build's.</summary>
    public const int Unavailable = 93;

    /// <summary>The variables a container build gets from the script's environment (values never on a command line).</summary>
    public static IReadOnlyList<string> PassedVariables(BuildPlan plan) =>
    [
        "LC_ALL", "KFARM_WS", "KBUILD_BUILD_USER", "KBUILD_BUILD_HOST", "KBUILD_BUILD_TIMESTAMP", .. plan.Series is null ? Array.Empty<string>() : ["KBUILD_BUILD_VERSION"],
        .. plan.CcacheDirectory is null ? [] : CcacheSteps.Variables,
        .. plan.CustomEnv.Keys.OrderBy(k => k, StringComparer.Ordinal),
    ];

    /// <summary>What the sandbox check prints first; what a probe printed follows it in <c>$kfarm_probe</c>.</summary>
    private const string Started = "kfarm-sandbox-started";

    /// <summary>
    /// Script lines that define <c>kfarm_sb COMMAND…</c> (runs COMMAND in the job's sandbox, in the
    /// workspace, and returns its exit code) and check that it works on this server.
    /// </summary>
    /// <param name="probe">
    /// A shell command the check runs in the same sandbox (one sandbox less per job); its output is
    /// left in <c>$kfarm_probe</c>. Null: the check runs <c>true</c>.
    /// </param>
    public static IEnumerable<string> DefineLines(BuildPlan plan, string? probe = null)
    {
        yield return "mkdir -p " + string.Join(' ', WritableFolders.Append(FragmentsFolder)) + " || exit 90";
        if (plan.Container is { } container)
        {
            foreach (var line in ContainerLines(plan, container)) yield return line;
        }
        else
        {
            foreach (var line in BubblewrapLines(plan)) yield return line;
        }
        // Checked once per job, so a server that cannot isolate builds fails the attempt as the
        // server's fault (retried elsewhere) instead of running the build unisolated.
        yield return $"kfarm_probe=$(kfarm_sb bash -c {Quote($"echo {Started}; {probe ?? "true"}")} 2>/dev/null)";
        yield return $"if [ \"${{kfarm_probe%%[[:cntrl:]]*}}\" != {Started} ]; then";
        yield return "  echo 'kfarm: the build sandbox does not start on this server; see scripts/setup-build-server.sh'";
        yield return "  kfarm_sb true 2>&1 | head -n 5";
        yield return $"  exit {Unavailable}";
        yield return "fi";
        yield return $"kfarm_probe=${{kfarm_probe#{Started}}}; kfarm_probe=${{kfarm_probe#[[:cntrl:]]}}";
    }

    private static IEnumerable<string> BubblewrapLines(BuildPlan plan)
    {
        yield return $"command -v bwrap >/dev/null || {{ echo 'kfarm: bubblewrap (bwrap) is not installed on this build server: it cannot isolate builds (scripts/setup-build-server.sh)'; exit {Unavailable}; }}";
        // --cap-drop ALL matters when the agent is root (bwrap then makes no user namespace).
        yield return "kfarm_sb_args=(--unshare-all --die-with-parent --new-session --cap-drop ALL"
            + " --ro-bind /usr /usr --ro-bind /etc /etc --proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run"
            + " --setenv HOME /tmp --unsetenv SSH_CONNECTION --unsetenv SSH_CLIENT --unsetenv SSH_AUTH_SOCK --unsetenv MAIL)";
        // merged-/usr systems have symlinks here, older ones folders; /opt holds toolchains on some servers
        // One find for all of them (a readlink each cost a process each).
        yield return "while read -r kfarm_t kfarm_d kfarm_l; do";
        yield return "  if [ \"$kfarm_t\" = l ]; then kfarm_sb_args+=(--symlink \"$kfarm_l\" \"$kfarm_d\"); else kfarm_sb_args+=(--ro-bind \"$kfarm_d\" \"$kfarm_d\"); fi";
        yield return "done < <(find /bin /sbin /lib /lib32 /lib64 /libx32 /opt -maxdepth 0 \\( -type l -printf 'l %p %l\\n' \\) -o \\( -type d -printf 'd %p\\n' \\) 2>/dev/null)";
        // The workspace's top folder (the farm's records) is an empty read-only folder in the sandbox.
        yield return "kfarm_sb_args+=(--tmpfs \"$KFARM_WS\")";
        yield return "for kfarm_d in " + string.Join(' ', WritableFolders) + "; do kfarm_sb_args+=(--bind \"$KFARM_WS/$kfarm_d\" \"$KFARM_WS/$kfarm_d\"); done";
        yield return $"kfarm_sb_args+=(--ro-bind \"$KFARM_WS/{FragmentsFolder}\" \"$KFARM_WS/{FragmentsFolder}\")";
        if (plan.GitMirror is not null)
            yield return "kfarm_sb_args+=(--ro-bind \"$KFARM_MIRROR\" \"$KFARM_MIRROR\")";
        if (plan.CcacheDirectory is not null)
            yield return "[ -n \"${CCACHE_DIR:-}\" ] && kfarm_sb_args+=(--bind \"$CCACHE_DIR\" \"$CCACHE_DIR\")";
        yield return "kfarm_sb_args+=(--remount-ro \"$KFARM_WS\" --remount-ro / --chdir \"$KFARM_WS\")";
        yield return "kfarm_sb() { bwrap \"${kfarm_sb_args[@]}\" -- \"$@\"; }";
    }

    private static IEnumerable<string> ContainerLines(BuildPlan plan, ContainerSpec spec)
    {
        var env = PassedVariables(plan);
        yield return $"printf '%s %s\\n' {spec.Runtime} {Quote(spec.Name)} > {ContainerCommand.RecordFile}.tmp && mv {ContainerCommand.RecordFile}.tmp {ContainerCommand.RecordFile} || exit 90";
        yield return ContainerCommand.Remove(spec.Runtime, spec.Name) + "  # one left by an earlier attempt";
        if (spec.Runtime == ContainerCommand.Podman)
        {
            yield return "if [ \"$(id -u)\" != 0 ]; then";
            yield return "  kfarm_sb_cmd=(" + string.Join(' ', ContainerCommand.Run(spec, rootless: true, plan.GitMirror, env)) + ")";
            yield return "else";
            yield return "  kfarm_sb_cmd=(" + string.Join(' ', ContainerCommand.Run(spec, rootless: false, plan.GitMirror, env)) + ")";
            yield return "fi";
        }
        else yield return "kfarm_sb_cmd=(" + string.Join(' ', ContainerCommand.Run(spec, rootless: false, plan.GitMirror, env)) + ")";
        yield return "printf 'kfarm: container: %s\\n' \"${kfarm_sb_cmd[*]}\"  # values of variables are passed by name, never shown";
        yield return "kfarm_sb() { \"${kfarm_sb_cmd[@]}\" \"$@\"; }";
    }
}
