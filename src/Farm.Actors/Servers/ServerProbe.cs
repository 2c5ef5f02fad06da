using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// Connects to a server (host key pinned) and runs a trivial command: the health check. The same
/// command lists the compilers and checks the declared container runtime and images.
/// </summary>
public static class ServerProbe
{
    /// <summary>
    /// Detected: the compilers installed on the server (empty when the probe failed); Containers: its
    /// declared container runtime and images as found (null when it declares no runtime or the probe failed).
    /// </summary>
    public sealed record Result(string ServerId, bool Ok, bool HostKeyMismatch, string? Error, DateTimeOffset At)
    {
        public IReadOnlyList<DetectedToolchain> Detected { get; init; } = [];
        public DetectedContainers? Containers { get; init; }
        /// <summary>The server's caches after the probe's eviction (null when the probe failed).</summary>
        public ServerCaches? Caches { get; init; }
        /// <summary>When the probe began looking (the results describe the server from then on); At when not given.</summary>
        public DateTimeOffset? StartedAt { get; init; }
    }

    /// <summary>
    /// One round trip: the architecture (first line), the compilers, then the containers and the
    /// caches (each after its section line).
    /// </summary>
    public static string Command(BuildServer server) =>
        "uname -m && { " + ToolchainDetection.Command + "; } && { " + ContainerDetection.Command(server) + "; } && { "
        + CacheMaintenance.Command(server) + "}";

    /// <summary>The <see cref="Command"/>'s output read back; containers are null when the server declares no runtime.</summary>
    public static (IReadOnlyList<DetectedToolchain> Toolchains, DetectedContainers? Containers, ServerCaches Caches) ParseOutput(BuildServer server, string stdout)
    {
        var lines = stdout.Split('\n');
        var caches = Array.IndexOf(lines, CacheMaintenance.Section);
        if (caches < 0) caches = lines.Length;
        var section = Array.IndexOf(lines, ContainerDetection.Section, 0, caches); // -1: no runtime declared (or it printed nothing)
        var end = section < 0 ? caches : section;
        var toolchains = ToolchainDetection.Parse(string.Join('\n', lines[1..Math.Max(1, end)]), lines[0]);
        var cacheReport = CacheMaintenance.Parse(string.Join('\n', lines[Math.Min(lines.Length, caches + 1)..]));
        if (server.ContainerRuntime is null) return (toolchains, null, cacheReport);
        return (toolchains, ContainerDetection.Parse(section < 0 ? "" : string.Join('\n', lines[(section + 1)..caches])), cacheReport);
    }

    public static async Task<Result> RunAsync(BuildServer server, TimeSpan timeout, CancellationToken ct = default)
    {
        var started = DateTimeOffset.UtcNow;
        try
        {
            using var shell = await RemoteShell.ConnectAsync(server, timeout, ct).ConfigureAwait(false);
            var r = await shell.RunAsync(Command(server), ct).ConfigureAwait(false);
            if (r.ExitCode != 0)
                return new Result(server.Id, false, false, $"probe command failed: {r.Stderr.Trim()}", DateTimeOffset.UtcNow);
            var (toolchains, containers, caches) = ParseOutput(server, r.Stdout);
            return new Result(server.Id, true, false, null, DateTimeOffset.UtcNow) { Detected = toolchains, Containers = containers, Caches = caches, StartedAt = started };
        }
        catch (RemoteConnectException e)
        {
            return new Result(server.Id, false, e.Message.StartsWith("host key mismatch", StringComparison.Ordinal), e.Message, DateTimeOffset.UtcNow);
        }
        catch (Exception e)
        {
            return new Result(server.Id, false, false, e.Message, DateTimeOffset.UtcNow);
        }
    }
}
