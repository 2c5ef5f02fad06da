using Renci.SshNet;
using Renci.SshNet.Common;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Execution;

/// <summary>Result of one remote command.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The connection was refused before any command ran: wrong host key, auth or network.</summary>
public sealed class RemoteConnectException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One SSH connection to a build server (SSH.NET) with host-key pinning; commands run on
/// channels of that connection. Blocking I/O lives here, never in an actor's mailbox.
/// </summary>
public sealed class RemoteShell : IDisposable
{
    private readonly SshClient _ssh;
    private readonly ConnectionInfo _info;
    private readonly Func<ConnectionInfo> _newConnectionInfo;
    private readonly Lock _sftpLock = new();
    private Task<SftpClient>? _sftp;
    private string? _presentedFingerprint;

    private RemoteShell(Func<ConnectionInfo> newConnectionInfo, string expectedFingerprint)
    {
        _newConnectionInfo = newConnectionInfo;
        var info = newConnectionInfo();
        _info = info;
        _ssh = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(15) };
        _ssh.HostKeyReceived += (_, e) => Pin(e, expectedFingerprint);
    }

    /// <summary>False once disposed (SSH.NET's own IsConnected throws then): the session actor then connects afresh.</summary>
    public bool IsConnected => !_disposed && _ssh.IsConnected;
    private volatile bool _disposed;

    public static async Task<RemoteShell> ConnectAsync(BuildServer server, TimeSpan timeout, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(server.SshKeyPath))
            throw new RemoteConnectException($"server {server.Id} has no ssh_key_path");
        PrivateKeyFile key;
        try { key = new PrivateKeyFile(server.SshKeyPath); }
        catch (Exception e) { throw new RemoteConnectException($"cannot read ssh key {server.SshKeyPath}: {e.Message}", e); }
        // A ConnectionInfo carries per-connection state: each connection (SSH, SFTP) gets its own.
        ConnectionInfo NewInfo() => new(server.IpAddress, server.SshPort, server.SshUsername,
            new PrivateKeyAuthenticationMethod(server.SshUsername, key)) { Timeout = timeout };
        var shell = new RemoteShell(NewInfo, server.SshHostKeyFingerprint);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            await shell._ssh.ConnectAsync(cts.Token).ConfigureAwait(false);
            return shell;
        }
        catch (SshConnectionException e) when (shell._presentedFingerprint is { } seen && !HostKeyFingerprint.Matches(server.SshHostKeyFingerprint, seen))
        {
            shell.Dispose();
            throw new RemoteConnectException(
                $"host key mismatch for {server.IpAddress}:{server.SshPort}: expected {HostKeyFingerprint.Display(server.SshHostKeyFingerprint)}, server presented {HostKeyFingerprint.Display(seen)}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            shell.Dispose();
            throw new RemoteConnectException($"ssh to {server.SshUsername}@{server.IpAddress}:{server.SshPort} failed: {e.Message}", e);
        }
    }

    private void Pin(HostKeyEventArgs e, string expected)
    {
        _presentedFingerprint = e.FingerPrintSHA256;
        e.CanTrust = HostKeyFingerprint.Matches(expected, e.FingerPrintSHA256);
    }

    public Task<CommandResult> RunAsync(string command, CancellationToken ct) => RunAsync(command, null, ct);

    /// <summary>Runs a command; <paramref name="input"/>, when given, is its stdin (then end of file).</summary>
    public async Task<CommandResult> RunAsync(string command, byte[]? input, CancellationToken ct)
    {
        using var cmd = _ssh.CreateCommand(command);
        var run = cmd.ExecuteAsync(ct);
        if (input is not null)
        {
            await using var stdin = cmd.CreateInputStream();
            await stdin.WriteAsync(input, ct).ConfigureAwait(false);
        }
        await run.ConfigureAwait(false);
        return new CommandResult(cmd.ExitStatus ?? -1, cmd.Result, cmd.Error);
    }

    /// <summary>Runs a command and hands its stdout to <paramref name="onOutput"/> as it arrives.</summary>
    public async Task<int> StreamAsync(string command, Func<ReadOnlyMemory<byte>, Task> onOutput, CancellationToken ct)
    {
        using var cmd = _ssh.CreateCommand(command);
        var run = cmd.ExecuteAsync(ct);
        var buffer = new byte[64 * 1024];
        var output = cmd.OutputStream;
        while (true)
        {
            var n = await output.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0) break;
            await onOutput(buffer.AsMemory(0, n)).ConfigureAwait(false);
        }
        await run.ConfigureAwait(false);
        return cmd.ExitStatus ?? -1;
    }

    /// <summary>Downloads a remote file into a local stream (SFTP on a second channel set).</summary>
    public async Task DownloadAsync(string remotePath, Stream destination, CancellationToken ct)
    {
        var sftp = await SftpAsync(ct).ConfigureAwait(false);
        await sftp.DownloadFileAsync(remotePath, destination, ct).ConfigureAwait(false);
    }

    /// <summary>One SFTP connection per shell, created once even when downloads start together.</summary>
    private Task<SftpClient> SftpAsync(CancellationToken ct)
    {
        lock (_sftpLock)
        {
            if (_sftp is { IsCompletedSuccessfully: true } live && live.Result.IsConnected) return live;
            if (_sftp is { IsCompleted: false } pending) return pending;
            if (_sftp is { IsCompletedSuccessfully: true } dead) dead.Result.Dispose();
            _sftp = ConnectSftpAsync(ct);
            return _sftp;
        }
    }

    private async Task<SftpClient> ConnectSftpAsync(CancellationToken ct)
    {
        var expected = _presentedFingerprint ?? "";
        var sftp = new SftpClient(_newConnectionInfo());
        sftp.HostKeyReceived += (_, e) => e.CanTrust = HostKeyFingerprint.Matches(expected, e.FingerPrintSHA256);
        await sftp.ConnectAsync(ct).ConfigureAwait(false);
        return sftp;
    }

    public void Dispose()
    {
        _disposed = true;
        try { if (_sftp is { IsCompletedSuccessfully: true } s) s.Result.Dispose(); } catch (Exception) { /* closing a broken connection */ }
        try { _ssh.Dispose(); } catch (Exception) { /* closing a broken connection */ }
    }
}
