using System.Text;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The short commands the farm runs over SSH around the detached build script. Each takes the
/// workspace as a quoted word and only ever touches files inside it.
/// </summary>
public static class RemoteCommands
{
    /// <summary>Exit codes of the launcher that mean "the server could not host this workspace".</summary>
    public const int WorkspaceUnusable = 90, ScriptDidNotStart = 91, WorkspaceForeign = 92;

    /// <summary>Marker file naming the job that owns a workspace; cleanup refuses anything else.</summary>
    public const string OwnerFile = ".kfarm-job";

    /// <summary>
    /// Creates the workspace, writes the script and starts it in its own session; prints the
    /// process-group id. Idempotent: an already launched workspace just prints its pid.
    /// </summary>
    /// <param name="upload">When given, the launcher's stdin is kept as this file of the workspace (a series' mbox).</param>
    public static string Launch(string jobId, string workspace, string script, string environment = "", string? upload = null)
    {
        var ws = Quote(workspace);
        var id = Quote(jobId);
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
        var env = Convert.ToBase64String(Encoding.UTF8.GetBytes(environment));
        return string.Join('\n',
            $"ws={ws}; id={id}",
            "mkdir -p -- \"$ws\" && cd -- \"$ws\" || exit 90",
            $"if [ -e {OwnerFile} ]; then [ \"$(cat {OwnerFile})\" = \"$id\" ] || {{ echo \"workspace $ws belongs to another job\" >&2; exit 92; }}",
            "elif [ -n \"$(ls -A)\" ]; then echo \"workspace $ws is not empty\" >&2; exit 92;",
            $"else printf '%s' \"$id\" > {OwnerFile} || exit 90; fi",
            // Read whole in either case, so the farm's write never meets a closed channel.
            upload is null ? "" : $"cat > .kfarm-upload.tmp || exit 90",
            // Re-attach to a live build or a finished one; a dead attempt without an exit record is started afresh.
            "if [ -s pid ]; then pg=$(cat pid); if kill -0 -- \"-$pg\" 2>/dev/null || [ -s exit ]; then rm -f .kfarm-upload.tmp; cat pid; exit 0; fi; rm -f pid exit; fi",
            upload is null ? "" : $"mv -f .kfarm-upload.tmp {Quote(upload)} || exit 90",
            $"printf '%s' '{payload}' | base64 -d > {BuildScript.ScriptName} || exit 90",
            // The job's environment (secrets too) for the script to read once and delete; only the agent can read it.
            $"(umask 077; printf '%s' '{env}' | base64 -d > {BuildScript.EnvironmentFile}) || exit 90",
            $"setsid -f bash {BuildScript.ScriptName} </dev/null >/dev/null 2>&1 || exit 91",
            "for i in $(seq 1000); do [ -s pid ] && { cat pid; exit 0; }; sleep 0.01; done",
            "echo 'build script did not start' >&2; exit 91");
    }

    /// <summary>
    /// Prints "exit &lt;code&gt; &lt;step&gt;" when the script finished, "running &lt;pgid&gt;" while it runs,
    /// "vanished" when it died without an exit record, "missing" when there is no workspace or pid.
    /// </summary>
    public static string Status(string workspace) => string.Join('\n',
        $"cd -- {Quote(workspace)} 2>/dev/null || {{ echo missing; exit 0; }}",
        "[ -s exit ] && { printf 'exit %s\\n' \"$(cat exit)\"; exit 0; }",
        "[ -s pid ] || { echo missing; exit 0; }",
        "pg=$(cat pid)",
        "if kill -0 -- \"-$pg\" 2>/dev/null; then echo \"running $pg\"; else",
        "  [ -s exit ] && { printf 'exit %s\\n' \"$(cat exit)\"; exit 0; }; echo vanished; fi");

    /// <summary>
    /// Streams build.log from a byte offset until the build is over: its exit record appeared or
    /// its process-group leader is gone. The leader alone is not enough: detached with setsid, it
    /// is init's child, and until init reaps it an exited leader is a zombie that kill -0 still
    /// finds (seconds, on a server whose init reaps lazily). So tail follows a watcher of both
    /// that this shell reaps at once (not exec: the shell must stay to reap it), and like
    /// --pid always does, prints what the log holds when the watcher ends.
    /// </summary>
    public static string TailLog(string workspace, long offset, int processGroup)
    {
        var ws = Quote(workspace);
        return string.Join('\n',
            $"(while [ ! -s {ws}/exit ] && kill -0 -- {processGroup} 2>/dev/null; do sleep 0.1; done) & kfarm_watch=$!",
            $"tail -c +{offset + 1} --pid=\"$kfarm_watch\" -s 0.1 -F -- {ws}/build.log 2>/dev/null",
            "exit 0");
    }

    /// <summary>Reads build.log from a byte offset once (used after the build ended, to drain).</summary>
    public static string ReadLog(string workspace, long offset) =>
        $"tail -c +{offset + 1} -- {Quote(workspace + "/build.log")} 2>/dev/null; true";

    /// <summary>
    /// A shell function: does process group $1 still have a process that is not a zombie? kill -0
    /// also finds zombies, and an exited build's leader stays one until init reaps it (seconds, on
    /// a server whose init reaps lazily): waiting on kill -0 would wait out the grace period.
    /// </summary>
    internal const string GroupAliveFunction =
        "kfarm_alive() { ps -e -o pgid=,stat= | awk -v g=\"$1\" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }";

    /// <summary>TERM the whole process group, then KILL after a grace period.</summary>
    public static string Kill(string workspace, TimeSpan grace)
    {
        var ticks = Math.Max(1, (int)(grace.TotalMilliseconds / 100));
        return string.Join('\n',
            $"cd -- {Quote(workspace)} 2>/dev/null || exit 0",
            ContainerCommand.StopRecorded(workspace, onExit: true), // a container build's container is not in the process group
            "[ -s pid ] || exit 0",
            "pg=$(cat pid)",
            GroupAliveFunction,
            "kill -TERM -- \"-$pg\" 2>/dev/null || exit 0",
            $"for i in $(seq {ticks}); do kfarm_alive \"$pg\" || exit 0; sleep 0.1; done",
            "kill -KILL -- \"-$pg\" 2>/dev/null; exit 0");
    }

    /// <summary>Kills the build's process group if it still runs, then removes the workspace (only one this job owns).</summary>
    public static string KillAndCleanup(string jobId, string workspace, TimeSpan grace)
    {
        var ticks = Math.Max(1, (int)(grace.TotalMilliseconds / 100));
        return string.Join('\n',
            $"ws={Quote(workspace)}",
            GroupAliveFunction,
            "if [ -s \"$ws/pid\" ]; then pg=$(cat \"$ws/pid\")",
            "  if kill -TERM -- \"-$pg\" 2>/dev/null; then",
            $"    for i in $(seq {ticks}); do kfarm_alive \"$pg\" || break; sleep 0.1; done",
            "    kill -KILL -- \"-$pg\" 2>/dev/null",
            "  fi",
            "fi",
            ContainerCommand.StopRecorded(workspace, onExit: false),
            Cleanup(jobId, workspace) + " || true");
    }

    /// <summary>Removes the workspace, but only one this job owns.</summary>
    public static string Cleanup(string jobId, string workspace) =>
        $"ws={Quote(workspace)}; [ -d \"$ws\" ] || exit 0; [ \"$(cat -- \"$ws/{OwnerFile}\" 2>/dev/null)\" = {Quote(jobId)} ] && rm -rf -- \"$ws\"";

    /// <param name="maxBytes">Read at most this much: the manifest is the build's word, its size too (null: all).</param>
    public static string ReadManifest(string workspace, long? maxBytes = null) => maxBytes is { } max
        ? $"head -c {max} -- {Quote(workspace + "/manifest.tsv")}"
        : $"cat -- {Quote(workspace + "/manifest.tsv")}";

    public static string ArtifactPath(string workspace, string relative) => $"{workspace}/artifacts/{relative}";
}
