using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Validation;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The command lines of container builds, for docker and podman from one place, and the host-side
/// wrapper that runs the generated build script inside the container.
/// <para>
/// The launcher starts the wrapper detached (setsid) like a host build; the wrapper writes
/// <c>pid</c> (its process group: what the farm signals), then runs <c>&lt;runtime&gt; run --rm</c> in the
/// foreground with the workspace mounted at the same path. The build script inside writes
/// build.log, exit, artifacts/ and manifest.tsv into the mounted workspace as on the host. A TERM
/// to the process group reaches the runtime's client, which passes it to the container's first
/// process; that one (<see cref="Shim"/>) passes it to every process in the container. Because
/// the container itself is not in the process group (the runtime's monitor holds it), kill and
/// cleanup also remove it by name (<see cref="StopRecorded"/>), read from the workspace's
/// <see cref="RecordFile"/>.
/// </para>
/// </summary>
public static partial class ContainerCommand
{
    public const string Docker = "docker", Podman = "podman";
    public static readonly IReadOnlyList<string> Runtimes = [Docker, Podman];

    /// <summary>The build script as the container runs it; the wrapper is uploaded as <see cref="BuildScript.ScriptName"/>.</summary>
    public const string InnerScriptName = "kfarm-build.sh";

    /// <summary>Workspace file "&lt;runtime&gt; &lt;name&gt;": kill and cleanup remove the container it names.</summary>
    public const string RecordFile = "container";

    /// <summary>Set in the container: the build script leaves <c>pid</c> to the wrapper (a pid inside the container means nothing outside).</summary>
    public const string InContainerVariable = "KFARM_CONTAINER";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}\z")] private static partial Regex JobIdPattern();

    /// <summary>kfarm-&lt;job id&gt;: predictable, so the container can be found and removed without any other record.</summary>
    public static string NameFor(string jobId) => JobIdPattern().IsMatch(jobId)
        ? "kfarm-" + jobId
        : throw new ArgumentException($"job id '{jobId}' cannot name a container", nameof(jobId));

    /// <summary>
    /// Runs in the container as its first process: starts the script, passes TERM/HUP/INT on to every
    /// process in the container (a first process gets only the signals it handles, and make's
    /// children would not get them at all), then waits for the script to record its exit.
    /// </summary>
    public const string Shim =
        "trap 'trap \"\" TERM HUP INT; kill -TERM -1 2>/dev/null' TERM HUP INT; " +
        "bash \"$1\" & kfarm_p=$!; wait \"$kfarm_p\"; kfarm_rc=$?; " +
        "while kill -0 \"$kfarm_p\" 2>/dev/null; do wait \"$kfarm_p\"; kfarm_rc=$?; done; exit \"$kfarm_rc\"";

    /// <summary>
    /// The words of <c>&lt;runtime&gt; run</c>, ready for bash (values quoted). File ownership in the
    /// mounted workspace: docker, and podman run by root, get <c>--user uid:gid</c> of the SSH user;
    /// rootless podman gets <c>--userns=keep-id</c> (the user keeps its uid in the container; a plain
    /// <c>--user</c> there would map to a subordinate uid that owns the files on the host).
    /// </summary>
    /// <param name="rootless">The runtime is podman run by a non-root user (decided on the server: <see cref="Wrap"/>).</param>
    public static IReadOnlyList<string> Run(ContainerSpec spec, bool rootless)
    {
        Check(spec);
        var words = new List<string>
        {
            spec.Runtime, "run", "--rm", "--name", Quote(spec.Name),
            "--pull=never",              // images are made locally (scripts/make-builder-image.sh); never reach for a registry
            "--network=host",            // git clone and fetch reach what the server reaches, loopback included
            "--security-opt", "label=disable", // bind mounts need no SELinux relabelling where SELinux is on
        };
        if (spec.Runtime == Podman && rootless) words.Add("--userns=keep-id");
        else words.AddRange(["--user", "\"$(id -u):$(id -g)\""]);
        if (spec.Cpus is { } cpus) words.AddRange(["--cpus", cpus.ToString("0.###", CultureInfo.InvariantCulture)]);
        if (spec.MemoryMb is { } mb) words.AddRange(["--memory", $"{mb}m"]);
        words.AddRange([
            "--volume", Quote($"{spec.Workspace}:{spec.Workspace}"), "--workdir", Quote(spec.Workspace),
            "--env", $"{InContainerVariable}=1",
            Quote(spec.Image), "bash", "-c", Quote(Shim), "kfarm-container", Quote($"{spec.Workspace}/{InnerScriptName}"),
        ]);
        return words;
    }

    /// <summary>Removes the container, killing it first if it runs; quiet and successful when there is none.</summary>
    public static string Remove(string runtime, string name) => RemoveWords(runtime, Quote(name)) + " >/dev/null 2>&1";

    private static string RemoveWords(string runtime, string quotedName) => runtime switch
    {
        Podman => $"podman rm -f -i -t 0 {quotedName}",  // -t 0: kill now (a stop would wait 10 s first)
        Docker => $"docker rm -f {quotedName}",          // -f kills at once
        _ => throw new ArgumentException($"unknown container runtime '{runtime}'", nameof(runtime)),
    };

    /// <summary>
    /// Shell lines that remove the container recorded in the workspace (nothing for a host build):
    /// at once, or (<paramref name="onExit"/>) whenever the calling command exits. The record is
    /// checked before use: the runtime must be docker or podman, the name kfarm-[A-Za-z0-9_.-].
    /// </summary>
    public static string StopRecorded(string workspace, bool onExit)
    {
        var record = Quote($"{workspace}/{RecordFile}");
        return string.Join('\n',
            "kfarm_container_stop() {",
            $"  [ -s {record} ] || return 0",
            $"  read -r kfarm_rt kfarm_name < {record}",
            "  case \"$kfarm_name\" in kfarm-*[!A-Za-z0-9_.-]*) return 0 ;; kfarm-?*) ;; *) return 0 ;; esac",
            $"  case \"$kfarm_rt\" in {Podman}) {RemoveWords(Podman, "\"$kfarm_name\"")} ;; {Docker}) {RemoveWords(Docker, "\"$kfarm_name\"")} ;; esac >/dev/null 2>&1",
            "  return 0",
            "}",
            onExit ? "trap kfarm_container_stop EXIT" : "kfarm_container_stop");
    }

    /// <summary>
    /// The host-side wrapper that the launcher uploads and starts in place of the build script:
    /// records pid and the container, writes the build script into the workspace, runs it in the
    /// container and removes the container afterwards (also after a failure). Without an exit
    /// record from inside (the runtime could not start the container) the build counts as vanished:
    /// an infrastructure failure, retried on another server.
    /// </summary>
    public static string Wrap(string buildScript, ContainerSpec spec)
    {
        Check(spec);
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(buildScript));
        var remove = Remove(spec.Runtime, spec.Name);

        L("#!/bin/bash");
        L($"# Generated by KernelFarm for job {spec.JobId}: runs {InnerScriptName} in a {spec.Runtime} container (README \"Container builds\").");
        L("set -u");
        L($"KFARM_WS={Quote(spec.Workspace)}");
        L("cd \"$KFARM_WS\" || exit 90");
        L("echo $$ > pid.tmp && mv pid.tmp pid");
        L("exec >>build.log 2>&1 </dev/null");
        L($"printf '%s %s\\n' {spec.Runtime} {Quote(spec.Name)} > {RecordFile}.tmp && mv {RecordFile}.tmp {RecordFile} || exit 90");
        L($"printf '%s' '{payload}' | base64 -d > {InnerScriptName} || exit 90");
        // The signals reach the runtime's client too (same process group), which passes them into the
        // container: keep waiting for it, so that the container is removed below.
        L("trap 'echo \"kfarm: signalled: stopping the container\"' TERM HUP INT");
        L($"{remove}  # one left by an earlier attempt in this workspace");
        if (spec.Runtime == Podman)
        {
            L("if [ \"$(id -u)\" != 0 ]; then");
            L("  set -- " + string.Join(' ', Run(spec, rootless: true)));
            L("else");
            L("  set -- " + string.Join(' ', Run(spec, rootless: false)));
            L("fi");
        }
        else
        {
            L("set -- " + string.Join(' ', Run(spec, rootless: false)));
        }
        L("printf 'kfarm: container: %s\\n' \"$*\"");
        L("\"$@\"");
        L("kfarm_rc=$?");
        L(remove);
        L($"[ -s exit ] || echo \"kfarm: the container ended without an exit record ({spec.Runtime} exit $kfarm_rc)\"");
        L("exit $kfarm_rc");
        return s.ToString();
    }

    private static void Check(ContainerSpec spec)
    {
        if (!Runtimes.Contains(spec.Runtime)) throw new ArgumentException($"unknown container runtime '{spec.Runtime}'", nameof(spec));
        if (!ContainerImageName.IsValid(spec.Image)) throw new ArgumentException($"unsafe container image name '{spec.Image}'", nameof(spec));
        if (!SafePath.IsSafeAbsolute(spec.Workspace)) throw new ArgumentException($"unsafe workspace '{spec.Workspace}'", nameof(spec));
        if (spec.Cpus is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException("cpus must be positive", nameof(spec));
        if (spec.MemoryMb is <= 0) throw new ArgumentException("memory must be positive", nameof(spec));
        _ = spec.Name; // the job id must make a container name
    }
}
