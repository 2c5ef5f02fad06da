using System.Diagnostics;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// Random faults on a <see cref="FarmCluster"/> from a seeded <see cref="Random"/>, for soak tests:
/// SIGKILL or SIGTERM a node and relaunch it a few seconds later (never fewer than
/// <see cref="Options.MinLiveNodes"/> nodes up), cut every SSH connection of a build server
/// (its sshd sessions die, the detached builds live on), or stop a build server (sshd, sessions
/// and builds killed) and restart it a few seconds later. The loop is bounded in actions and in
/// time and stops by itself; <see cref="RunAsync"/> returns once every node and server it took
/// down is back. Every action is reported with its time through the log callback.
/// </summary>
public sealed class FaultInjector
{
    public const string NodeKill = "node-sigkill", NodeTerm = "node-sigterm", SshCut = "ssh-cut", ServerStop = "server-stop";

    public sealed record Options
    {
        public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(90);
        public int MaxActions { get; init; } = 40;
        public TimeSpan MinPause { get; init; } = TimeSpan.FromSeconds(2);
        public TimeSpan MaxPause { get; init; } = TimeSpan.FromSeconds(5);
        public TimeSpan MinDowntime { get; init; } = TimeSpan.FromSeconds(2);
        public TimeSpan MaxDowntime { get; init; } = TimeSpan.FromSeconds(6);
        public int MinLiveNodes { get; init; } = 2;
        public int MaxServersDown { get; init; } = 1;
        /// <summary>Relative weights of <see cref="NodeKill"/>, <see cref="NodeTerm"/>, <see cref="SshCut"/>, <see cref="ServerStop"/>.</summary>
        public IReadOnlyDictionary<string, int> Weights { get; init; } = new Dictionary<string, int>
        {
            [NodeKill] = 3, [NodeTerm] = 2, [SshCut] = 3, [ServerStop] = 2,
        };
    }

    private readonly FarmCluster _cluster;
    private readonly Options _options;
    private readonly Random _random;
    private readonly Action<string> _log;
    private readonly Stopwatch _clock;
    private readonly object _gate = new();
    private readonly HashSet<FarmProcess> _nodesDown = [];
    private readonly HashSet<SshBuildServer> _serversDown = [];
    private readonly Dictionary<string, int> _counts = new();
    private readonly List<string> _unplanned = [];
    private readonly List<Task> _recoveries = [];

    public FaultInjector(FarmCluster cluster, int seed, Action<string> log, Stopwatch clock, Options? options = null)
    {
        _cluster = cluster;
        _options = options ?? new Options();
        _random = new Random(seed);
        _log = log;
        _clock = clock;
        Seed = seed;
    }

    public int Seed { get; }

    /// <summary>Faults injected so far, by kind (only actions that were carried out).</summary>
    public IReadOnlyDictionary<string, int> Counts { get { lock (_gate) return new Dictionary<string, int>(_counts); } }

    public int Total { get { lock (_gate) return _counts.Values.Sum(); } }

    /// <summary>Nodes that exited without being told to (e.g. downed by the split-brain resolver), each revived.</summary>
    public IReadOnlyList<string> UnplannedExits { get { lock (_gate) return [.. _unplanned]; } }

    private void Log(string message) =>
        _log($"[+{_clock.Elapsed.TotalSeconds,7:0.000}s {DateTime.UtcNow:HH:mm:ss.fff}Z] fault: {message}");

    private string NodeName(FarmProcess n) => $"node{IndexOf(_cluster.Nodes, n) + 1}";

    private string ServerName(SshBuildServer s) => $"server{IndexOf(_cluster.Servers, s) + 1} ({s.IpAddress})";

    private static int IndexOf<T>(IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
            if (ReferenceEquals(list[i], item)) return i;
        return -1;
    }

    /// <summary>Runs the bounded fault loop, then waits for every node and server it took down to be back.</summary>
    public async Task RunAsync(CancellationToken ct = default)
    {
        var end = _clock.Elapsed + _options.Duration;
        Log($"start: seed {Seed}, at most {_options.MaxActions} actions over {_options.Duration.TotalSeconds:0} s");
        var actions = 0;
        try
        {
            while (actions < _options.MaxActions && !ct.IsCancellationRequested)
            {
                var pause = Between(_options.MinPause, _options.MaxPause);
                if (_clock.Elapsed + pause >= end) break;
                await Task.Delay(pause, ct);
                ReviveExitedNodes();
                actions++;
                await ActAsync();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { /* asked to stop early */ }
        Log($"loop over after {actions} actions; waiting for the recoveries in flight");
        await AllBackAsync();
        Log($"all nodes and servers back; injected {Total}: {string.Join(", ", Counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}");
    }

    /// <summary>Waits for every relaunch and restart in flight, reviving nodes that exited on their own meanwhile.</summary>
    public async Task AllBackAsync()
    {
        var deadline = _clock.Elapsed + TimeSpan.FromMinutes(3);
        while (true)
        {
            if (_clock.Elapsed > deadline)
                throw new TimeoutException("nodes keep exiting: not all nodes are up 3 minutes after the faults; " + string.Join("; ", UnplannedExits));
            ReviveExitedNodes();
            Task[] pending;
            lock (_gate) pending = _recoveries.Where(t => !t.IsCompleted).ToArray();
            if (pending.Length == 0)
            {
                lock (_gate) pending = [.. _recoveries];
                await Task.WhenAll(pending); // surface a recovery that failed
                if (_cluster.Nodes.All(n => n.IsRunning)) return;
                continue;
            }
            await Task.WhenAll(pending);
        }
    }

    /// <summary>Waits for the relaunches and restarts in flight without failing (for clean-up before disposal).</summary>
    public async Task QuiesceAsync()
    {
        Task[] pending;
        lock (_gate) pending = [.. _recoveries];
        try { await Task.WhenAll(pending); }
        catch (Exception e) { Log($"a recovery failed: {e.GetType().Name}: {FirstLine(e.Message)}"); }
    }

    /// <summary>
    /// Like a process supervisor (systemd Restart=on-failure): relaunches every node that is not
    /// running although no fault took it down, e.g. one the split-brain resolver downed.
    /// </summary>
    public int ReviveExitedNodes()
    {
        var revived = 0;
        foreach (var node in _cluster.Nodes)
        {
            lock (_gate)
            {
                if (_nodesDown.Contains(node) || node.IsRunning) continue;
                _nodesDown.Add(node);
            }
            var name = NodeName(node);
            var reason = node.Tail(400).Split('\n').LastOrDefault(l =>
                l.Contains("Shutting down myself", StringComparison.Ordinal) || l.Contains("Exiting with", StringComparison.Ordinal))?.Trim() ?? "no reason in its log";
            lock (_gate) _unplanned.Add($"{name}: {reason}");
            Log($"{name} exited on its own ({reason}); relaunching it like a supervisor would");
            revived++;
            Track(RelaunchAsync(node, name, TimeSpan.Zero));
        }
        return revived;
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromMilliseconds(_random.NextDouble() * (max - min).TotalMilliseconds);

    private async Task ActAsync()
    {
        // Draw from the kinds that are possible right now (so the seed still decides everything).
        List<string> possible;
        lock (_gate)
        {
            var nodesUp = _cluster.Nodes.Count - _nodesDown.Count;
            var serversUp = _cluster.Servers.Count - _serversDown.Count;
            possible = [];
            if (nodesUp - 1 >= _options.MinLiveNodes) { possible.Add(NodeKill); possible.Add(NodeTerm); }
            if (serversUp > 0) possible.Add(SshCut);
            if (_serversDown.Count < _options.MaxServersDown && serversUp > 0) possible.Add(ServerStop);
        }
        possible = possible.Where(k => _options.Weights.GetValueOrDefault(k) > 0).ToList();
        if (possible.Count == 0) { Log("nothing possible right now; skipped"); return; }
        var roll = _random.Next(possible.Sum(k => _options.Weights[k]));
        var kind = possible.First(k => (roll -= _options.Weights[k]) < 0);
        switch (kind)
        {
            case NodeKill or NodeTerm: NodeFault(kind); break;
            case SshCut: CutConnections(); break;
            case ServerStop: await StopServerAsync(); break;
        }
    }

    private void Count(string kind)
    {
        lock (_gate) _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
    }

    private void NodeFault(string kind)
    {
        FarmProcess node;
        lock (_gate)
        {
            var up = _cluster.Nodes.Where(n => !_nodesDown.Contains(n) && n.IsRunning).ToList();
            if (up.Count - 1 < _options.MinLiveNodes) { Log($"{kind}: too few nodes up; skipped"); return; }
            node = up[_random.Next(up.Count)];
            _nodesDown.Add(node);
        }
        var downtime = Between(_options.MinDowntime, _options.MaxDowntime);
        var name = NodeName(node);
        Count(kind);
        if (kind == NodeKill)
        {
            var pid = node.Pid;
            node.Kill();
            Log($"{kind} {name} (pid {pid}); relaunch in {downtime.TotalSeconds:0.0} s");
            Track(RelaunchAsync(node, name, downtime));
        }
        else
        {
            var pid = node.Pid;
            Log($"{kind} {name} (pid {pid}): SIGTERM sent; relaunch {downtime.TotalSeconds:0.0} s after it exits");
            Track(TermThenRelaunchAsync(node, name, downtime));
        }
    }

    private async Task TermThenRelaunchAsync(FarmProcess node, string name, TimeSpan downtime)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await node.StopAsync(TimeSpan.FromSeconds(60));
            Log($"{name} exited after SIGTERM in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        catch (OperationCanceledException)
        {
            Log($"{name} did not exit within 60 s of SIGTERM; SIGKILL");
            node.Kill();
        }
        await RelaunchAsync(node, name, downtime);
    }

    private async Task RelaunchAsync(FarmProcess node, string name, TimeSpan downtime)
    {
        await Task.Delay(downtime);
        var watch = Stopwatch.StartNew();
        Log($"relaunching {name}");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await node.LaunchAsync();
                break;
            }
            catch (Exception e) when (attempt < 3 && e is TimeoutException or InvalidOperationException)
            {
                // e.g. downed by the split-brain resolver right after joining (it exits with code 3)
                Log($"relaunch of {name} failed (try {attempt}, {e.GetType().Name}: {FirstLine(e.Message)}); trying again");
                node.Kill();
            }
        }
        Log($"{name} ready again (pid {node.Pid}) after {watch.Elapsed.TotalSeconds:0.0} s");
        lock (_gate) _nodesDown.Remove(node);
    }

    private void CutConnections()
    {
        SshBuildServer server;
        lock (_gate)
        {
            var up = _cluster.Servers.Where(s => !_serversDown.Contains(s) && s.IsRunning).ToList();
            if (up.Count == 0) { Log($"{SshCut}: no server up; skipped"); return; }
            server = up[_random.Next(up.Count)];
        }
        // Every process below the sshd listener: the per-connection sshd processes and the
        // commands they run (tail -F, status checks, sftp). Detached builds (setsid -f) are not
        // below it and keep running; the listener keeps accepting new connections.
        var sessions = Descendants(server.SshdPid);
        ProcessKiller.KillAll(sessions, TimeSpan.FromSeconds(10));
        Count(SshCut);
        Log($"{SshCut} {ServerName(server)}: SIGKILLed {sessions.Count} session processes under sshd {server.SshdPid}");
    }

    private async Task StopServerAsync()
    {
        SshBuildServer server;
        lock (_gate)
        {
            var up = _cluster.Servers.Where(s => !_serversDown.Contains(s) && s.IsRunning).ToList();
            if (up.Count == 0 || _serversDown.Count >= _options.MaxServersDown) { Log($"{ServerStop}: not allowed now; skipped"); return; }
            server = up[_random.Next(up.Count)];
            _serversDown.Add(server);
        }
        var downtime = Between(_options.MinDowntime, _options.MaxDowntime);
        var builds = server.SessionProcessIds().Count;
        await server.StopAsync();
        Count(ServerStop);
        Log($"{ServerStop} {ServerName(server)}: sshd and {builds} session/build processes killed; restart in {downtime.TotalSeconds:0.0} s");
        Track(RestartServerAsync(server, downtime));
    }

    private async Task RestartServerAsync(SshBuildServer server, TimeSpan downtime)
    {
        await Task.Delay(downtime);
        await server.RestartAsync();
        Log($"{ServerName(server)} restarted (sshd pid {server.SshdPid})");
        lock (_gate) _serversDown.Remove(server);
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0];

    private void Track(Task recovery)
    {
        lock (_gate) _recoveries.Add(recovery);
    }

    /// <summary>All live descendants of <paramref name="root"/> (not the root itself), from /proc.</summary>
    public static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length) continue;
            var fields = stat[(close + 2)..].Split(' ');
            if (fields.Length < 2 || fields[0] == "Z" || !int.TryParse(fields[1], out var ppid)) continue;
            if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = [];
            list.Add(pid);
        }
        var result = new List<int>();
        var todo = new Queue<int>([root]);
        while (todo.TryDequeue(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                result.Add(child);
                todo.Enqueue(child);
            }
        }
        return result;
    }
}
