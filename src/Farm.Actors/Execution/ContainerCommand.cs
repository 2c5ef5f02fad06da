using System.Globalization;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Validation;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// Container builds, for docker and podman from one place. The build script runs on the server as
/// the farm's agent like a host build; each of the build's commands runs in a fresh
/// <c>&lt;runtime&gt; run --rm</c> of the job's image (<see cref="BuildSandbox"/>), named
/// <see cref="NameFor"/>, with <see cref="Shim"/> as its first process. A TERM to the script's
/// process group reaches the runtime's client, which passes it into the container; because the
/// container itself is not in the process group (the runtime's monitor holds it), kill and cleanup
/// also remove it by name (<see cref="StopRecorded"/>), read from the workspace's <see cref="RecordFile"/>.
/// </summary>
public static partial class ContainerCommand
{
    public const string Docker = "docker", Podman = "podman";
    public static readonly IReadOnlyList<string> Runtimes = [Docker, Podman];

    /// <summary>Workspace file "&lt;runtime&gt; &lt;name&gt;": kill and cleanup remove the container it names.</summary>
    public const string RecordFile = "container";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}\z")] private static partial Regex JobIdPattern();

    /// <summary>kfarm-&lt;job id&gt;: predictable, so the container can be found and removed without any other record.</summary>
    public static string NameFor(string jobId) => JobIdPattern().IsMatch(jobId)
        ? "kfarm-" + jobId
        : throw new ArgumentException($"job id '{jobId}' cannot name a container", nameof(jobId));

    /// <summary>
    /// Runs in the container as its first process: starts the command, passes TERM/HUP/INT on to every
    /// process in the container (a first process gets only the signals it handles, and make's
    /// children would not get them at all), then waits for it and exits with its code.
    /// </summary>
    public const string Shim =
        "trap 'trap \"\" TERM HUP INT; kill -TERM -1 2>/dev/null' TERM HUP INT; " +
        "\"$@\" & kfarm_p=$!; wait \"$kfarm_p\"; kfarm_rc=$?; " +
        "while kill -0 \"$kfarm_p\" 2>/dev/null; do wait \"$kfarm_p\"; kfarm_rc=$?; done; exit \"$kfarm_rc\"";

    /// <summary>
    /// The words of <c>&lt;runtime&gt; run</c> up to the command (values quoted; the caller appends the
    /// command's words): the job's <see cref="BuildSandbox.WritableFolders"/> and fragments (read-only)
    /// mounted at their own paths and nothing else of the workspace, the git mirror read-only, no
    /// network, no capabilities, no new privileges. File ownership in the mounts: docker, and podman
    /// run by root, get <c>--user uid:gid</c> of the SSH user; rootless podman gets
    /// <c>--userns=keep-id</c> (a plain <c>--user</c> there would map to a subordinate uid).
    /// </summary>
    /// <param name="rootless">The runtime is podman run by a non-root user (decided on the server).</param>
    /// <param name="mirror">The git mirror the source's worktree points into, or null.</param>
    /// <param name="environment">Names of variables passed from the script's environment (values never on the command line).</param>
    public static IReadOnlyList<string> Run(ContainerSpec spec, bool rootless, string? mirror = null, IEnumerable<string>? environment = null)
    {
        Check(spec);
        var words = new List<string>
        {
            spec.Runtime, "run", "--rm", "--name", Quote(spec.Name),
            "--pull=never",              // images are made locally (scripts/make-builder-image.sh); never reach for a registry
            "--network=none",            // the agent fetched the source; a build reaches nothing
            "--cap-drop=all", "--security-opt", "no-new-privileges",
            "--read-only", "--env", "HOME=/tmp", // only the mounted folders and a private /tmp are writable
            "--security-opt", "label=disable", // bind mounts need no SELinux relabelling where SELinux is on
        };
        if (spec.Runtime == Podman && rootless) words.Add("--userns=keep-id");
        else words.AddRange(["--user", "\"$(id -u):$(id -g)\""]);
        if (spec.Cpus is { } cpus) words.AddRange(["--cpus", cpus.ToString("0.###", CultureInfo.InvariantCulture)]);
        if (spec.MemoryMb is { } mb) words.AddRange(["--memory", $"{mb}m"]);
        foreach (var folder in BuildSandbox.WritableFolders)
            words.AddRange(["--volume", Quote($"{spec.Workspace}/{folder}:{spec.Workspace}/{folder}")]);
        words.AddRange(["--volume", Quote($"{spec.Workspace}/{BuildSandbox.FragmentsFolder}:{spec.Workspace}/{BuildSandbox.FragmentsFolder}:ro")]);
        if (mirror is not null)
        {
            if (!SafePath.IsSafeAbsolute(mirror)) throw new ArgumentException($"unsafe git mirror path '{mirror}'", nameof(mirror));
            words.AddRange(["--volume", Quote($"{mirror}:{mirror}:ro")]);
        }
        words.AddRange(["--workdir", Quote(spec.Workspace)]);
        foreach (var name in environment ?? []) words.AddRange(["--env", name]);
        words.AddRange([Quote(spec.Image), "bash", "-c", Quote(Shim), "kfarm-container"]);
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

    /// <summary>Refuses a spec that could not be a safe command line (validated at submission already; checked again here).</summary>
    public static void Check(ContainerSpec spec)
    {
        if (!Runtimes.Contains(spec.Runtime)) throw new ArgumentException($"unknown container runtime '{spec.Runtime}'", nameof(spec));
        if (!ContainerImageName.IsValid(spec.Image)) throw new ArgumentException($"unsafe container image name '{spec.Image}'", nameof(spec));
        if (!SafePath.IsSafeAbsolute(spec.Workspace)) throw new ArgumentException($"unsafe workspace '{spec.Workspace}'", nameof(spec));
        if (spec.Cpus is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException("cpus must be positive", nameof(spec));
        if (spec.MemoryMb is <= 0) throw new ArgumentException("memory must be positive", nameof(spec));
        _ = spec.Name; // the job id must make a container name
    }
}
