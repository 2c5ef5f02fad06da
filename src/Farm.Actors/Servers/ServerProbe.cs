using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>Connects to a server (host key pinned) and runs a trivial command: the health check.</summary>
public static class ServerProbe
{
    /// <summary>Detected: the compilers installed on the server (empty when the probe failed).</summary>
    public sealed record Result(string ServerId, bool Ok, bool HostKeyMismatch, string? Error, DateTimeOffset At)
    {
        public IReadOnlyList<DetectedToolchain> Detected { get; init; } = [];
    }

    public static async Task<Result> RunAsync(BuildServer server, TimeSpan timeout, CancellationToken ct = default)
    {
        try
        {
            using var shell = await RemoteShell.ConnectAsync(server, timeout, ct).ConfigureAwait(false);
            var r = await shell.RunAsync("uname -m && { " + ToolchainDetection.Command + "; }", ct).ConfigureAwait(false);
            if (r.ExitCode != 0)
                return new Result(server.Id, false, false, $"probe command failed: {r.Stderr.Trim()}", DateTimeOffset.UtcNow);
            var lines = r.Stdout.Split('\n', 2);
            return new Result(server.Id, true, false, null, DateTimeOffset.UtcNow)
            {
                Detected = ToolchainDetection.Parse(lines.Length > 1 ? lines[1] : "", lines[0]),
            };
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
