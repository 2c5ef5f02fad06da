using Renci.SshNet;
using Renci.SshNet.Common;

namespace KernelFarm.Cli.Servers;

/// <summary>
/// Reads a server's SSH host key fingerprint the way the farm will see it (SSH.NET's SHA256
/// fingerprint): connects, takes the key offered in the key exchange and refuses it, so nothing
/// authenticates and nothing runs on the server.
/// </summary>
public static class HostKeyScanner
{
    public static async Task<(string Fingerprint, string KeyType)> ScanAsync(string host, int port, string user,
        TimeSpan timeout, CancellationToken ct)
    {
        string? fingerprint = null, keyType = null;
        var info = new ConnectionInfo(host, port, user, new NoneAuthenticationMethod(user)) { Timeout = timeout };
        using var client = new SshClient(info);
        client.HostKeyReceived += (_, e) =>
        {
            fingerprint = e.FingerPrintSHA256;
            keyType = e.HostKeyName;
            e.CanTrust = false; // we only look: the connection stops here
        };
        try
        {
            await client.ConnectAsync(ct);
        }
        catch (Exception e) when (e is SshConnectionException or SshException or SshOperationTimeoutException
                                      or System.Net.Sockets.SocketException or TimeoutException)
        {
            if (fingerprint is null)
                throw new CliException(ExitCodes.Unavailable, $"cannot read the SSH host key of {host}:{port}: {e.Message}");
        }
        if (fingerprint is null) throw new CliException(ExitCodes.Unavailable, $"{host}:{port} offered no SSH host key");
        return (Fingerprint.Display(fingerprint), keyType ?? "?");
    }
}
