using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>Connects to a server (host key pinned) and runs a trivial command: the health check.</summary>
public static class ServerProbe
{
    public sealed record Result(string ServerId, bool Ok, bool HostKeyMismatch, string? Error, DateTimeOffset At);

    public static async Task<Result> RunAsync(BuildServer server, TimeSpan timeout, CancellationToken ct = default)
    {
        try
        {
            using var shell = await RemoteShell.ConnectAsync(server, timeout, ct).ConfigureAwait(false);
            var r = await shell.RunAsync("uname -m", ct).ConfigureAwait(false);
            return r.ExitCode == 0
                ? new Result(server.Id, true, false, null, DateTimeOffset.UtcNow)
                : new Result(server.Id, false, false, $"probe command failed: {r.Stderr.Trim()}", DateTimeOffset.UtcNow);
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
