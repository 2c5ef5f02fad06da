using System.Diagnostics;
using System.Text;
using Renci.SshNet;
using TempDir = KernelFarm.IntegrationTests.Fixtures.TempDirectory;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// A real OpenSSH server (<c>/usr/sbin/sshd -D -e</c>) listening on one loopback address,
/// accepting only public-key logins of <see cref="BuildUser"/> (<c>kfbuild</c>) with a
/// freshly generated ed25519 client key. Every server has its own temp directory
/// (/tmp/kfarm-tests/sshd-XXXXXXXX) holding keys, config, pid file and the sshd log,
/// so several servers can run at once on 127.0.0.2, 127.0.0.3, ...
/// </summary>
/// <remarks>
/// Every session process started through this server carries the environment variable
/// <c>KFARM_SSH_SERVER=&lt;temp dir name&gt;</c> (sshd <c>SetEnv</c>); <see cref="StopAsync"/> uses
/// it to also kill session processes that daemonised themselves out of sshd's process tree,
/// and <see cref="SessionProcessIds"/> lets tests assert that nothing is left running.
/// </remarks>
public sealed class SshBuildServer : IAsyncDisposable, IDisposable
{
    public const string SessionMarkerVariable = "KFARM_SSH_SERVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _sshd;
    private bool _disposed;

    private int _niceness;

    private SshBuildServer(string ipAddress, string tempDirectory)
    {
        IpAddress = ipAddress;
        TempDirectory = tempDirectory;
        SessionMarker = Path.GetFileName(tempDirectory);
    }

    public string IpAddress { get; }
    public int Port { get; private set; }
    public string Username => BuildUser.Name;

    /// <summary>Per-server directory (mode 0755, root-owned); deleted on dispose.</summary>
    public string TempDirectory { get; }

    /// <summary>Directory inside <see cref="TempDirectory"/> owned by kfbuild: a scratch "remote disk" for this server.</summary>
    public string WorkDirectory => Path.Combine(TempDirectory, "work");

    /// <summary>OpenSSH-format ed25519 private key (mode 0600, root) that SSH.NET's PrivateKeyFile loads.</summary>
    public string PrivateKeyPath => Path.Combine(_identityDirectory ?? TempDirectory, "client_ed25519");

    /// <summary>Where a server with a lasting identity keeps its host and client keys (see <see cref="StartWithIdentityAsync"/>).</summary>
    private string? _identityDirectory;
    private int? _fixedPort;

    /// <summary>This server as the farm registers it (for tests that drive the SSH actors directly).</summary>
    public KernelFarm.Messages.Servers.BuildServer AsBuildServer(string id) => new()
    {
        Id = id,
        Hostname = id + ".test",
        IpAddress = IpAddress,
        SshPort = Port,
        SshUsername = Username,
        SshKeyPath = PrivateKeyPath,
        SshHostKeyFingerprint = HostKeyFingerprintSha256,
        WorkspaceRoot = WorkDirectory,
    };
    public string PublicKeyPath => PrivateKeyPath + ".pub";
    public string HostKeyPath => Path.Combine(TempDirectory, "ssh_host_ed25519_key");
    public string HostPublicKeyPath => HostKeyPath + ".pub";
    public string AuthorizedKeysPath => Path.Combine(TempDirectory, "authorized_keys");
    public string ConfigPath => Path.Combine(TempDirectory, "sshd_config");
    public string PidFilePath => Path.Combine(TempDirectory, "sshd.pid");

    /// <summary>sshd's stderr (LogLevel VERBOSE), appended across restarts.</summary>
    public string LogPath => Path.Combine(TempDirectory, "sshd.log");

    /// <summary>Exactly as <c>ssh-keygen -lf host.pub -E sha256</c> prints it: <c>SHA256:&lt;base64 without padding&gt;</c>.</summary>
    public string HostKeyFingerprintSha256 { get; private set; } = "";

    /// <summary>Host public key line, e.g. <c>ssh-ed25519 AAAA... kfarm-host</c>.</summary>
    public string HostPublicKey { get; private set; } = "";

    /// <summary>A known_hosts line for this server: <c>[ip]:port ssh-ed25519 AAAA...</c>.</summary>
    public string KnownHostsLine
    {
        get
        {
            var parts = HostPublicKey.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return $"[{IpAddress}]:{Port} {parts[0]} {parts[1]}";
        }
    }

    /// <summary>Value of <see cref="SessionMarkerVariable"/> in this server's sessions.</summary>
    public string SessionMarker { get; }

    /// <summary>PID of the sshd listener. Throws when the server is stopped.</summary>
    public int SshdPid => _sshd?.Id ?? throw new InvalidOperationException("sshd is not running");

    public bool IsRunning => _sshd is { HasExited: false };

    /// <param name="niceness">nice(1) level of sshd and so of every build it runs (<see cref="RealKernelCollection.Niceness"/>).</param>
    public static Task<SshBuildServer> StartAsync(string ipAddress, CancellationToken ct = default, int niceness = 0) =>
        StartAsync(ipAddress, identityDirectory: null, port: null, niceness, ct);

    /// <summary>
    /// A server that a farm's journal can find again: a fixed port, and its host key and the farm's
    /// client key kept in <paramref name="identityDirectory"/> (made there when missing), so a
    /// registration recorded by one farm (an upgrade fixture) still connects in a later run.
    /// </summary>
    public static Task<SshBuildServer> StartWithIdentityAsync(string ipAddress, int port, string identityDirectory, CancellationToken ct = default) =>
        StartAsync(ipAddress, identityDirectory, port, niceness: 0, ct);

    private static async Task<SshBuildServer> StartAsync(string ipAddress, string? identityDirectory, int? port, int niceness, CancellationToken ct)
    {
        BuildUser.EnsureExists();
        var server = new SshBuildServer(ipAddress, TempDir.CreateUniqueDirectory("sshd")) { _identityDirectory = identityDirectory, _fixedPort = port, _niceness = niceness };
        try
        {
            await server.PrepareAsync(ct).ConfigureAwait(false);
            await server.StartFirstTimeAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// SIGKILLs the sshd listener and every session (the whole process tree, plus any process
    /// carrying this server's session marker). Connections drop; new ones are refused.
    /// Idempotent.
    /// </summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            StopCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops (if running) and starts sshd again with the same keys, config and port.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            StopCore();
            var failure = await LaunchAsync(ct).ConfigureAwait(false);
            if (failure is not null)
                throw new InvalidOperationException(
                    $"sshd did not come back on {IpAddress}:{Port}: {failure}\n--- {LogPath} ---\n{ReadLog()}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="bashCommand"/> locally as kfbuild (<c>runuser -u kfbuild -- bash -c</c>,
    /// cwd = kfbuild's home) and returns its stdout. Throws <see cref="ProcFailedException"/> on a
    /// non-zero exit unless <paramref name="throwOnError"/> is false (append <c>|| true</c> to
    /// commands like pgrep that exit 1 for "nothing found").
    /// </summary>
    public string RunAsBuildUser(string bashCommand, bool throwOnError = true) =>
        BuildUser.Run(bashCommand, throwOnError: throwOnError).Stdout;

    /// <summary>
    /// The pids of process group <paramref name="pgid"/> that are not zombies, one per line ("" for
    /// none). pgrep -g also lists zombies: a killed build's processes whose parent (init, for the
    /// detached leader) has not reaped them yet are dead, but still listed.
    /// </summary>
    public string LiveProcessesInGroup(int pgid) =>
        RunAsBuildUser($"ps -e -o pid=,pgid=,stat= | awk -v g={pgid} '$2 == g && $3 !~ /^Z/ {{ print $1 }}'").Trim();

    public Task<ProcResult> RunAsBuildUserAsync(string bashCommand, bool throwOnError = true, CancellationToken ct = default) =>
        BuildUser.RunAsync(bashCommand, throwOnError: throwOnError, ct: ct);

    /// <summary>Live processes (any user) whose environment carries this server's session marker.</summary>
    public IReadOnlyList<int> SessionProcessIds() =>
        ProcessKiller.FindByEnvironment($"{SessionMarkerVariable}={SessionMarker}");

    /// <summary>SSH.NET connection info using the client private key (10 s timeout).</summary>
    public ConnectionInfo CreateConnectionInfo() =>
        new(IpAddress, Port, Username, new PrivateKeyAuthenticationMethod(Username, new PrivateKeyFile(PrivateKeyPath)))
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>Current content of the sshd log (empty if none yet).</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }

    /// <summary>Second field of <c>ssh-keygen -lf &lt;pubKeyPath&gt; -E sha256</c>, i.e. "SHA256:...".</summary>
    public static string ReadFingerprint(string pubKeyPath)
    {
        var result = Proc.Run("ssh-keygen", ["-lf", pubKeyPath, "-E", "sha256"], throwOnError: true);
        var fields = result.Stdout.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !fields[1].StartsWith("SHA256:", StringComparison.Ordinal))
            throw new InvalidOperationException($"unexpected ssh-keygen -l output: {result.Stdout}");
        return fields[1];
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            DisposeCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            DisposeCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    public override string ToString() => $"sshd {Username}@{IpAddress}:{Port} ({TempDirectory})";

    private void DisposeCore()
    {
        if (_disposed)
            return;
        _disposed = true;
        StopCore();
        TempDir.DeleteTree(TempDirectory);
    }

    private async Task PrepareAsync(CancellationToken ct)
    {
        if (_identityDirectory is null)
            await Proc.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kfarm-host", "-f", HostKeyPath],
                ct, throwOnError: true).ConfigureAwait(false);
        else
        {
            // sshd refuses a host key others can read: use a private copy of the kept one
            var keptHostKey = Path.Combine(_identityDirectory, "ssh_host_ed25519_key");
            Directory.CreateDirectory(_identityDirectory);
            if (!File.Exists(keptHostKey))
                await Proc.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kfarm-host", "-f", keptHostKey],
                    ct, throwOnError: true).ConfigureAwait(false);
            File.Copy(keptHostKey, HostKeyPath);
            File.Copy(keptHostKey + ".pub", HostPublicKeyPath);
            TempDir.SetMode(HostKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (!File.Exists(PrivateKeyPath))
            await Proc.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kfarm-client", "-f", PrivateKeyPath],
                ct, throwOnError: true).ConfigureAwait(false);
        TempDir.SetMode(PrivateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await File.WriteAllTextAsync(AuthorizedKeysPath, await File.ReadAllTextAsync(PublicKeyPath, ct).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        TempDir.SetMode(AuthorizedKeysPath,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Directory.CreateDirectory(WorkDirectory);
        BuildUser.Chown(WorkDirectory);

        HostPublicKey = (await File.ReadAllTextAsync(HostPublicKeyPath, ct).ConfigureAwait(false)).Trim();
        HostKeyFingerprintSha256 = ReadFingerprint(HostPublicKeyPath);

        // sshd's privilege separation directory (normally created by systemd's RuntimeDirectory).
        Directory.CreateDirectory("/run/sshd");
        TempDir.SetMode("/run/sshd",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private async Task StartFirstTimeAsync(CancellationToken ct)
    {
        // FreePort is racy; if someone grabbed the port in between, pick another one.
        string? failure = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Port = _fixedPort ?? FreePort.Get(IpAddress);
            await File.WriteAllTextAsync(ConfigPath, BuildConfig(), ct).ConfigureAwait(false);
            failure = await LaunchAsync(ct).ConfigureAwait(false);
            if (failure is null)
                return;
            if (!ReadLog().Contains("Address already in use", StringComparison.Ordinal))
                break;
        }
        throw new InvalidOperationException(
            $"sshd did not start on {IpAddress}:{Port}: {failure}\n--- {LogPath} ---\n{ReadLog()}");
    }

    /// <summary>Starts sshd and waits for the port. Returns null on success, else a reason (sshd already killed).</summary>
    private async Task<string?> LaunchAsync(CancellationToken ct)
    {
        var sshd = Proc.StartDaemon("/usr/sbin/sshd", ["-D", "-e", "-f", ConfigPath], LogPath, _niceness);
        _sshd = sshd;
        bool listening;
        try
        {
            listening = await FreePort.WaitUntilListeningAsync(IpAddress, Port, StartTimeout, () => sshd.HasExited, ct)
                .ConfigureAwait(false);
        }
        catch
        {
            StopCore();
            throw;
        }
        if (listening)
            return null;
        var reason = sshd.HasExited
            ? $"sshd exited with code {sshd.ExitCode}"
            : $"port not accepting connections after {StartTimeout.TotalSeconds:0} s";
        StopCore();
        return reason;
    }

    private string BuildConfig() => $"""
        # Generated by KernelFarm.IntegrationTests.Fixtures.SshBuildServer
        ListenAddress {IpAddress}:{Port}
        HostKey {HostKeyPath}
        PidFile {PidFilePath}
        AuthorizedKeysFile {AuthorizedKeysPath}
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin no
        AllowUsers {BuildUser.Name}
        StrictModes no
        UsePAM no
        UseDNS no
        PrintMotd no
        PrintLastLog no
        X11Forwarding no
        Subsystem sftp internal-sftp
        SetEnv {SessionMarkerVariable}={SessionMarker}
        LogLevel VERBOSE
        MaxSessions 50
        MaxStartups 100

        """;

    private void StopCore()
    {
        var sshd = _sshd;
        _sshd = null;
        if (sshd is not null)
        {
            // Freeze + SIGKILL the listener and every session below it; returns once all have exited.
            ProcessKiller.KillTree(sshd.Id, TimeSpan.FromSeconds(10));
            sshd.WaitForExit(5000);
            sshd.Dispose();
        }

        // Whatever the tree walk cannot see: a listener left by an earlier start (matched by its
        // command line) and session processes that daemonised away (matched by the env marker).
        Proc.Run("pkill", ["-KILL", "-f", "--", "sshd -D -e -f " + ConfigPath]);
        for (var round = 0; round < 10; round++)
        {
            var leftovers = SessionProcessIds();
            if (leftovers.Count == 0)
                break;
            ProcessKiller.KillAll(leftovers, TimeSpan.FromSeconds(10));
        }
    }
}
