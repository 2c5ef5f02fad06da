using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// Shares SSH connections to a build server among the jobs running there, as OpenSSH's ControlMaster
/// does: a job's commands, its log stream and its downloads become channels of a connection that is
/// already up, so a job pays no key exchange and no authentication (two of them, with SFTP: about
/// 0.2 s on loopback, more across a network). Each connection serves at most
/// <see cref="LesseesPerConnection"/> jobs at a time, so their channels (a log stream and one or two
/// commands each) stay under sshd's MaxSessions (10 by default). A connection nobody leases is
/// closed after <see cref="Linger"/>; one that broke is dropped and the next lease connects afresh.
/// All jobs on a server run as the same account, so sharing its connection gives no job more reach.
/// </summary>
public sealed class SshConnectionPool
{
    /// <summary>The pool the farm's job sessions use.</summary>
    public static readonly SshConnectionPool Shared = new(TimeSpan.FromSeconds(60));

    public const int LesseesPerConnection = 3;

    public TimeSpan Linger { get; }

    private readonly Lock _lock = new();
    private readonly Dictionary<ConnectionKey, List<Entry>> _entries = [];
    private readonly Func<BuildServer, TimeSpan, CancellationToken, Task<RemoteShell>> _connect;
    private readonly TimeProvider _time;

    public SshConnectionPool(TimeSpan linger, Func<BuildServer, TimeSpan, CancellationToken, Task<RemoteShell>>? connect = null, TimeProvider? time = null)
    {
        Linger = linger;
        _connect = connect ?? RemoteShell.ConnectAsync;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>What makes two servers the same connection: where, as whom, with which key, trusting which host key.</summary>
    internal readonly record struct ConnectionKey(string ServerId, string Address, int Port, string User, string? KeyPath, string Fingerprint)
    {
        public static ConnectionKey Of(BuildServer s) => new(s.Id, s.IpAddress, s.SshPort, s.SshUsername, s.SshKeyPath, s.SshHostKeyFingerprint);
    }

    internal sealed class Entry(ConnectionKey key, Task<RemoteShell> connection)
    {
        public ConnectionKey Key { get; } = key;
        public Task<RemoteShell> Connection { get; } = connection;
        public int Lessees;
        /// <summary>Changes with every lease, so a linger timer started before it closes nothing.</summary>
        public int Generation;
        public bool Dropped;
        public ITimer? LingerTimer;

        /// <summary>Still worth handing out: connecting, or connected and not broken.</summary>
        public bool Usable => !Dropped && (!Connection.IsCompleted || (Connection.IsCompletedSuccessfully && Connection.Result.IsConnected));
    }

    /// <summary>One job's hold on a shared connection; give it back with <see cref="Release"/>, or <see cref="Drop"/> it when it is wedged.</summary>
    public sealed class Lease
    {
        private readonly SshConnectionPool _pool;
        private readonly Entry _entry;
        private int _released;

        private Lease(SshConnectionPool pool, Entry entry) => (_pool, _entry) = (pool, entry);

        internal static Lease On(SshConnectionPool pool, Entry entry) => new(pool, entry);

        /// <summary>The connection (throws what connecting threw).</summary>
        public Task<RemoteShell> Connection => _entry.Connection;

        /// <summary>Connected and not broken: false means take a new lease.</summary>
        public bool IsLive => _entry.Connection is { IsCompletedSuccessfully: true } c && c.Result.IsConnected && !_entry.Dropped;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _pool.Return(_entry, drop: false);
        }

        /// <summary>Closes the connection for every job on it (it stopped answering); their next request connects afresh.</summary>
        public void Drop()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _pool.Return(_entry, drop: true);
        }
    }

    /// <summary>A lease on a live (or connecting) connection to the server with room for one more job; connects one if none has room.</summary>
    public Lease Acquire(BuildServer server, TimeSpan connectTimeout)
    {
        var key = ConnectionKey.Of(server);
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var list)) _entries[key] = list = [];
            list.RemoveAll(e => !e.Usable && Close(e));
            var entry = list.FirstOrDefault(e => e.Lessees < LesseesPerConnection);
            if (entry is null)
            {
                // The connection belongs to the pool, not to the first job: no job's cancellation ends it.
                entry = new Entry(key, _connect(server, connectTimeout, CancellationToken.None));
                list.Add(entry);
                ObserveFailure(entry);
            }
            entry.Lessees++;
            entry.Generation++;
            return Lease.On(this, entry);
        }
    }

    /// <summary>Connections open now (connected or connecting), for tests and metrics.</summary>
    public int OpenConnections(BuildServer server)
    {
        lock (_lock) return _entries.TryGetValue(ConnectionKey.Of(server), out var list) ? list.Count(e => e.Usable) : 0;
    }

    private void ObserveFailure(Entry entry) =>
        entry.Connection.ContinueWith(_ =>
        {
            lock (_lock) Remove(entry);
        }, CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);

    private void Return(Entry entry, bool drop)
    {
        int generation;
        lock (_lock)
        {
            entry.Lessees--;
            if (drop || !entry.Usable)
            {
                Remove(entry);
                Close(entry);
                return;
            }
            if (entry.Lessees > 0) return;
            generation = entry.Generation;
            entry.LingerTimer?.Dispose();
            entry.LingerTimer = _time.CreateTimer(_ => CloseIfIdle(entry, generation), null, Linger, Timeout.InfiniteTimeSpan);
        }
    }

    private void CloseIfIdle(Entry entry, int generation)
    {
        lock (_lock)
        {
            if (entry.Lessees > 0 || entry.Generation != generation) return;
            Remove(entry);
        }
        Close(entry);
    }

    private void Remove(Entry entry)
    {
        entry.Dropped = true;
        if (_entries.TryGetValue(entry.Key, out var list))
        {
            list.Remove(entry);
            if (list.Count == 0) _entries.Remove(entry.Key);
        }
    }

    /// <summary>Disposes the connection once it is made (or at once); true, for RemoveAll.</summary>
    private static bool Close(Entry entry)
    {
        entry.Dropped = true;
        entry.LingerTimer?.Dispose();
        entry.Connection.ContinueWith(c => { if (c.IsCompletedSuccessfully) c.Result.Dispose(); }, TaskScheduler.Default);
        return true;
    }
}
