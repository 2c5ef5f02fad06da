using System.Text;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Servers;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// Whether a build server really has the container runtime and images it declares (README
/// "Container builds"): the probe prints the runtime's version and, per declared image, whether the
/// runtime's local store has it. Builds run with <c>--pull=never</c>, so an image that is not there
/// cannot build. The output is one line per fact, each starting with a marker word.
/// </summary>
public static class ContainerDetection
{
    /// <summary>The line that starts the container part of the probe's output (the probe splits its output there).</summary>
    public const string Section = "kfarm-probe-containers";

    private const string RuntimeVersion = "kfarm-runtime-version", RuntimeMissing = "kfarm-runtime-missing",
        ImagePresent = "kfarm-image-present", ImageMissing = "kfarm-image-missing";

    /// <summary>
    /// POSIX sh that prints <see cref="Section"/> and the facts, and always exits 0: a missing
    /// runtime is reported, never a failed probe. A no-op (<c>:</c>) when the server declares no runtime.
    /// </summary>
    public static string Command(BuildServer server)
    {
        if (server.ContainerRuntime is not { } runtime) return ":";
        if (!ContainerCommand.Runtimes.Contains(runtime)) throw new ArgumentException($"unknown container runtime '{runtime}'", nameof(server));
        var s = new StringBuilder();
        s.Append($"echo {Section}; ");
        s.Append($"if command -v {runtime} >/dev/null 2>&1; then ");
        s.Append($"printf '%s %s\\n' {RuntimeVersion} \"$({runtime} --version 2>/dev/null | head -n 1)\"; ");
        foreach (var image in server.ContainerImages.Select(i => i.Name).Distinct(StringComparer.Ordinal))
        {
            // Names are validated at registration; quoted all the same (README "Input safety").
            var name = Quote(image);
            var exists = runtime == ContainerCommand.Podman ? $"podman image exists {name}" : $"docker image inspect {name} >/dev/null";
            s.Append($"if {exists} 2>/dev/null; then printf '%s %s\\n' {ImagePresent} {name}; else printf '%s %s\\n' {ImageMissing} {name}; fi; ");
        }
        s.Append($"else echo {RuntimeMissing}; fi; :");
        return s.ToString();
    }

    /// <summary>The facts in the container part of the probe's output; lines without a marker (or with an invalid image name) are ignored.</summary>
    public static DetectedContainers Parse(string output)
    {
        string? version = null;
        bool versionSeen = false, runtimeMissing = false;
        var present = new List<string>();
        var missing = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ');
            var (marker, rest) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..].Trim());
            switch (marker)
            {
                case RuntimeVersion:
                    versionSeen = true;
                    version = rest.Length > 0 ? rest : null; // found, but printed no version
                    break;
                case RuntimeMissing:
                    runtimeMissing = true;
                    break;
                case ImagePresent when ContainerImageName.IsValid(rest) && !present.Contains(rest):
                    present.Add(rest);
                    break;
                case ImageMissing when ContainerImageName.IsValid(rest) && !missing.Contains(rest):
                    missing.Add(rest);
                    break;
            }
        }
        var found = versionSeen && !runtimeMissing;
        return new DetectedContainers(found ? version : null, found, present, missing.Except(present).ToList());
    }

    /// <summary>Declared images the probe did not find (all of them when the runtime itself is missing).</summary>
    public static IReadOnlyList<string> Missing(BuildServer server, DetectedContainers detected) =>
        server.ContainerImages.Select(i => i.Name).Distinct(StringComparer.Ordinal)
            .Where(n => !detected.RuntimeFound || !detected.PresentImages.Contains(n)).ToList();
}
