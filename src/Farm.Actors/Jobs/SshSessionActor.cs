using System.Security.Cryptography;
using Akka.Actor;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// One job's way to its build server: leases a connection from the <see cref="SshConnectionPool"/>
/// lazily (host key pinned), takes a new lease when the connection broke, and runs each request as a
/// Task piped back to the requester, so no SSH I/O ever blocks a mailbox.
/// </summary>
public sealed class SshSessionActor : ReceiveActor
{
    /// <param name="Timeout">How long to wait for the command; past it the connection is dropped and the run fails. Null: no limit.</param>
    public sealed record Run(string Command, string Tag, TimeSpan? Timeout = null, byte[]? Input = null);
    public sealed record RunResult(string Tag, CommandResult Result);
    /// <summary>Connect: the connection could not be made (host key, auth, network); otherwise it broke mid-command.
    /// Limit: the job's output broke a storage limit (<see cref="Storage.LimitExceededException"/>).</summary>
    public sealed record RunFailed(string Tag, string Error, bool Connect, bool Storage = false, bool Limit = false);

    public sealed record Stream(string Command, string Tag);
    public sealed record Chunk(string Tag, byte[] Data);
    public sealed record StreamEnded(string Tag, int ExitCode);
    /// <summary>Ends the stream of that tag (its remote command's channel is closed); its requester hears nothing more of it.</summary>
    public sealed record CancelStream(string Tag);

    /// <summary>
    /// Downloads into a local file and checks its sha256 (the remote manifest's word is verified, not
    /// trusted); the download stops as soon as more than ExpectedSize bytes arrive.
    /// </summary>
    public sealed record Download(string RemotePath, string LocalPath, string ExpectedSha256, long ExpectedSize);
    public sealed record Downloaded(string LocalPath);

    private readonly BuildServer _server;
    private readonly TimeSpan _connectTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SshConnectionPool _pool;
    private SshConnectionPool.Lease? _lease;
    private readonly Dictionary<string, CancellationTokenSource> _streams = [];

    public SshSessionActor(BuildServer server, TimeSpan connectTimeout, SshConnectionPool? pool = null)
    {
        _server = server;
        _connectTimeout = connectTimeout;
        _pool = pool ?? SshConnectionPool.Shared;

        Receive<Run>(r => Execute(r.Tag, async (shell, ct) =>
            new RunResult(r.Tag, await shell.RunAsync(r.Command, r.Input, ct).ConfigureAwait(false)), r.Timeout).PipeTo(Sender));

        Receive<Stream>(s =>
        {
            var requester = Sender;
            var cancel = new CancellationTokenSource();
            if (_streams.Remove(s.Tag, out var earlier)) earlier.Cancel();
            _streams[s.Tag] = cancel;
            Execute(s.Tag, async (shell, ct) =>
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, cancel.Token);
                var exit = await shell.StreamAsync(s.Command, chunk =>
                {
                    if (!cancel.IsCancellationRequested) requester.Tell(new Chunk(s.Tag, chunk.ToArray()));
                    return Task.CompletedTask;
                }, either.Token).ConfigureAwait(false);
                return new StreamEnded(s.Tag, exit);
            }).ContinueWith(t =>
            {   // a cancelled stream's requester asked for no more
                if (!cancel.IsCancellationRequested) requester.Tell(t.Result);
            }, TaskScheduler.Default);
        });

        Receive<CancelStream>(c =>
        {
            if (_streams.Remove(c.Tag, out var cancel)) cancel.Cancel();
        });

        Receive<Download>(d => Execute(d.RemotePath, async (shell, ct) =>
        {
            // Hashed as it streams: a second read of the whole file cost as much as a tenth of a big transfer.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received;
            await using (var file = new Storage.DeclaredSizeStream(Storage.StorageWriteStream.Create(d.LocalPath), d.ExpectedSize, d.RemotePath, hash))
            {
                await shell.DownloadAsync(d.RemotePath, file, ct).ConfigureAwait(false);
                received = file.Written;
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (received != d.ExpectedSize || sha != d.ExpectedSha256)
                throw new IOException($"{d.RemotePath}: checksum mismatch (manifest {d.ExpectedSha256}/{d.ExpectedSize} bytes, received {sha}/{received} bytes)");
            return new Downloaded(d.LocalPath);
        }, DownloadTimeout(d.ExpectedSize)).PipeTo(Sender));
    }

    /// <summary>
    /// A download's limit: a minute, plus a second per MiB (slower than 1 MiB/s counts as stuck).
    /// SSH.NET may never complete an operation whose connection broke at the wrong moment
    /// (sshnet/SSH.NET#562); a limit turns that into a failed, retried attempt.
    /// </summary>
    public static TimeSpan DownloadTimeout(long bytes) => TimeSpan.FromSeconds(60 + bytes / (1024 * 1024));

    private Task<object> Execute(string tag, Func<RemoteShell, CancellationToken, Task<object>> work, TimeSpan? timeout = null)
    {
        var lease = EnsureConnection();
        return Attempt();

        async Task<object> Attempt()
        {
            RemoteShell shell;
            try { shell = await lease.Connection.ConfigureAwait(false); }
            catch (Exception e)
            {
                Telemetry.FarmMetrics.SshFailures.Add(1, new System.Diagnostics.TagList { { "server", _server.Id }, { "stage", "connect" } });
                return new RunFailed(tag, Unwrap(e).Message, Connect: true);
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            if (timeout is { } t) limit.CancelAfter(t);
            try { return await work(shell, limit.Token).ConfigureAwait(false); }
            catch (Exception e) when (timeout is { } waited && limit.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {   // the connection may be wedged: drop it, the next request connects afresh
                Telemetry.FarmMetrics.SshFailures.Add(1, new System.Diagnostics.TagList { { "server", _server.Id }, { "stage", "timeout" } });
                lease.Drop();
                return new RunFailed(tag, $"no answer from {_server.Id} within {waited.TotalSeconds:F0} s ({Unwrap(e).GetType().Name}); the connection was dropped", Connect: false);
            }
            catch (Exception e)
            {
                var cause = Unwrap(e);
                if ((cause as Storage.LimitExceededException ?? cause.InnerException as Storage.LimitExceededException) is { } overLimit)
                    return new RunFailed(tag, overLimit.Message, Connect: false, Limit: true);
                var storage = cause as Storage.StorageException ?? cause.InnerException as Storage.StorageException;
                if (storage is null) Telemetry.FarmMetrics.SshFailures.Add(1, new System.Diagnostics.TagList { { "server", _server.Id }, { "stage", "command" } });
                return storage is not null
                    ? new RunFailed(tag, storage.Message, Connect: false, Storage: true)
                    : new RunFailed(tag, cause.Message, Connect: false);
            }
        }
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? inner : e;

    /// <summary>Keeps a live (or connecting) lease; a failed or dropped one is given back and a new one taken.</summary>
    private SshConnectionPool.Lease EnsureConnection()
    {
        if (_lease is { } held && (held.IsLive || !held.Connection.IsCompleted)) return held;
        _lease?.Release();
        _lease = _pool.Acquire(_server, _connectTimeout);
        return _lease;
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _lease?.Release();
    }

    public static Props Props(BuildServer server, TimeSpan connectTimeout, SshConnectionPool? pool = null) =>
        Akka.Actor.Props.Create(() => new SshSessionActor(server, connectTimeout, pool));
}
