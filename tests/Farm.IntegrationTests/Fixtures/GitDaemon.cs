using System.Diagnostics;
using TempDir = KernelFarm.IntegrationTests.Fixtures.TempDirectory;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// <c>git daemon</c> serving every repository below a base path over <c>git://ip:port/</c>
/// (read-only, upload-pack only). Runs as root; clients may be any user.
/// </summary>
public sealed class GitDaemon : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private Process? _process;
    private readonly string _logDirectory;
    private int _niceness;

    private GitDaemon(string basePath, string ipAddress, string logDirectory)
    {
        BasePath = basePath;
        IpAddress = ipAddress;
        _logDirectory = logDirectory;
    }

    public string BasePath { get; }
    public string IpAddress { get; }
    public int Port { get; private set; }

    /// <summary>git daemon's stderr (errors, informative messages).</summary>
    public string LogPath => Path.Combine(_logDirectory, "git-daemon.log");

    private int? _fixedPort;

    public int Pid => _process?.Id ?? throw new ObjectDisposedException(nameof(GitDaemon));

    /// <summary>Starts the daemon on a free port of <paramref name="ip"/> and waits until it accepts connections.</summary>
    /// <param name="port">A fixed port (a repository URL that a journal recorded); null: a free one.</param>
    /// <param name="niceness">nice(1) level of the daemon and the upload-packs it runs (<see cref="RealKernelCollection.Niceness"/>).</param>
    public static async Task<GitDaemon> StartAsync(string basePath, string ip = "127.0.0.1", CancellationToken ct = default, int? port = null, int niceness = 0)
    {
        basePath = Path.GetFullPath(basePath).TrimEnd('/');
        if (!Directory.Exists(basePath))
            throw new DirectoryNotFoundException(basePath);
        var daemon = new GitDaemon(basePath, ip, TempDir.CreateUniqueDirectory("gitd")) { _fixedPort = port, _niceness = niceness };
        try
        {
            string? failure = null;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                failure = await daemon.TryLaunchAsync(ct).ConfigureAwait(false);
                if (failure is null)
                    return daemon;
                if (!daemon.ReadLog().Contains("Address already in use", StringComparison.Ordinal))
                    break;
            }
            throw new InvalidOperationException(
                $"git daemon did not start on {ip}:{daemon.Port}: {failure}\n--- log ---\n{daemon.ReadLog()}");
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary><c>git://ip:port/&lt;repoDirName&gt;</c>, e.g. <c>Url("fake-linux.git")</c>.</summary>
    public string Url(string repoDirName) => $"git://{IpAddress}:{Port}/{repoDirName.TrimStart('/')}";

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            Proc.KillTree(process); // also the forked per-connection upload-pack children
            process.WaitForExit(5000);
            process.Dispose();
        }
        TempDir.DeleteTree(_logDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"git daemon git://{IpAddress}:{Port}/ -> {BasePath}";

    private async Task<string?> TryLaunchAsync(CancellationToken ct)
    {
        Port = _fixedPort ?? FreePort.Get(IpAddress);
        var process = Proc.StartDaemon("git",
        [
            "daemon", "--reuseaddr", "--export-all", $"--base-path={BasePath}", $"--listen={IpAddress}",
            $"--port={Port}", "--enable=upload-pack", "--informative-errors", BasePath,
        ], LogPath, _niceness);
        _process = process;
        bool listening;
        try
        {
            listening = await FreePort.WaitUntilListeningAsync(IpAddress, Port, StartTimeout, () => process.HasExited, ct)
                .ConfigureAwait(false);
        }
        catch
        {
            Proc.KillTree(process);
            throw;
        }
        if (listening)
            return null;
        var reason = process.HasExited
            ? $"git daemon exited with code {process.ExitCode}"
            : $"port not accepting connections after {StartTimeout.TotalSeconds:0} s";
        Proc.KillTree(process);
        process.WaitForExit(5000);
        process.Dispose();
        _process = null;
        return reason;
    }
}
