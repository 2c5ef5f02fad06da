using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.FixedCost;

/// <summary>
/// Buildbot 3.7 from Debian (packages buildbot, buildbot-worker; bench/install-deps.sh) as the
/// fixed-cost peer: a master and one worker on loopback, each in its own directory under a temp
/// directory, on free ports, started in the foreground (--nodaemon) so that their pids are ours
/// and stopped (process tree SIGKILLed) on dispose.
/// </summary>
/// <remarks>
/// Debian's buildbot lacks the buildbot-www plugin, and the master refuses to serve the REST API
/// without it ("could not find buildbot-www"). The trigger is therefore a tiny service in
/// master.cfg on the data API: a TCP line "go" calls the Triggerable scheduler's trigger() (what
/// POST /api/v2/forceschedulers/... does inside the master: one buildset for the builder) and
/// answers "done &lt;result&gt;" when the buildset completes (the master's own completion
/// notification; no polling). The builder mirrors the farm's trivial job: Git (clobber, shallow
/// clone of the same repository from the same git daemon), make tinyconfig, make -j2, upload of
/// vmlinux, System.map and bzImage to the master. collapseRequests is off.
/// </remarks>
public sealed class BuildbotPeer : IAsyncDisposable
{
    private readonly TempDirectory _root;
    private Process? _master;
    private readonly List<Process> _workers = [];
    private TcpClient? _client;
    private StreamReader? _reader;
    private NetworkStream? _stream;

    private BuildbotPeer(TempDirectory root) => _root = root;

    public string MasterLog => Path.Combine(_root.Path, "master", "twistd.log");

    public static void RequireInstalled()
    {
        foreach (var tool in new[] { "/usr/bin/buildbot", "/usr/bin/buildbot-worker" })
            if (!File.Exists(tool))
                throw new InvalidOperationException(
                    $"{tool} is missing: Buildbot 3.7 is the fixed-cost baseline; install it once with bench/install-deps.sh (apt-get install buildbot buildbot-worker)");
    }

    /// <param name="workers">Workers of one build each (own folders), all serving the builder: the peer's slots.</param>
    public static async Task<BuildbotPeer> StartAsync(string repositoryUrl, Action<string> log, CancellationToken ct, int workers = 1)
    {
        RequireInstalled();
        var peer = new BuildbotPeer(TempDirectory.Create("bench-buildbot"));
        try
        {
            await peer.StartCoreAsync(repositoryUrl, log, workers, ct);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string repositoryUrl, Action<string> log, int workers, CancellationToken ct)
    {
        var master = Path.Combine(_root.Path, "master");
        var pbPort = FreePort.Get("127.0.0.1");
        var triggerPort = FreePort.Get("127.0.0.1");
        await Proc.RunAsync("buildbot", ["create-master", "-q", "-r", master], ct, throwOnError: true);
        await File.WriteAllTextAsync(Path.Combine(master, "master.cfg"), MasterCfg(repositoryUrl, pbPort, triggerPort, workers), ct);
        await Proc.RunAsync("buildbot", ["checkconfig", master], ct, throwOnError: true);
        for (var w = 1; w <= workers; w++)
            await Proc.RunAsync("buildbot-worker", ["create-worker", "-q", "--umask=0o22", Path.Combine(_root.Path, $"worker{w}"), $"127.0.0.1:{pbPort}", $"w{w}", "bench-pass"], ct, throwOnError: true);

        _master = Proc.StartDaemon("buildbot", ["start", "--nodaemon", master], Path.Combine(_root.Path, "master.out"));
        if (!await FreePort.WaitUntilListeningAsync("127.0.0.1", triggerPort, TimeSpan.FromSeconds(60), () => _master.HasExited, ct))
            throw new InvalidOperationException($"the Buildbot master did not start:\n{Tail(MasterLog)}\n{Tail(Path.Combine(_root.Path, "master.out"))}");
        for (var w = 1; w <= workers; w++)
            _workers.Add(Proc.StartDaemon("buildbot-worker", ["start", "--nodaemon", Path.Combine(_root.Path, $"worker{w}")], Path.Combine(_root.Path, $"worker{w}.out")));
        log($"buildbot: master on 127.0.0.1:{pbPort} (trigger {triggerPort}), {workers} worker(s) started");

        _client = new TcpClient();
        await _client.ConnectAsync("127.0.0.1", triggerPort, ct);
        _client.NoDelay = true;
        _stream = _client.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    /// <summary>One build: trigger → the buildset complete (SUCCESS), as the master reports it.</summary>
    public async Task<TimeSpan> BuildAsync(TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await _stream!.WriteAsync("go\n"u8.ToArray(), ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        string? line;
        try { line = await _reader!.ReadLineAsync(limit.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Buildbot build not finished after {timeout}:\n{Tail(MasterLog)}");
        }
        var elapsed = clock.Elapsed;
        if (line != "done 0") throw new InvalidOperationException($"Buildbot build: {line ?? "(connection closed)"}\n{Tail(MasterLog)}");
        return elapsed;
    }

    /// <summary>
    /// <paramref name="builds"/> builds requested at once; returns when every one has completed (SUCCESS),
    /// as the master reports them.
    /// </summary>
    public async Task<TimeSpan> BurstAsync(int builds, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await _stream!.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("go\n", builds))), ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        for (var done = 0; done < builds; done++)
        {
            string? line;
            try { line = await _reader!.ReadLineAsync(limit.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"Buildbot: {done} of {builds} builds finished after {timeout}:\n{Tail(MasterLog)}");
            }
            if (line != "done 0") throw new InvalidOperationException($"Buildbot build: {line ?? "(connection closed)"}\n{Tail(MasterLog)}");
        }
        return clock.Elapsed;
    }

    /// <summary>CPU seconds (user + system) the master and its workers have used so far.</summary>
    public double CpuSeconds() =>
        _workers.Append(_master).Sum(p => p is { HasExited: false } ? Harness.ProcessCpu.Seconds(p.Id) : 0);

    public double RssMiB() =>
        _workers.Append(_master).Sum(p => p is { HasExited: false } ? (Harness.MachineFacts.ReadKiB($"/proc/{p.Id}/status", "VmRSS") ?? 0) / 1024.0 : 0);

    private static string Tail(string path, int lines = 30)
    {
        try { return string.Join('\n', File.ReadAllLines(path).TakeLast(lines)); }
        catch (IOException) { return $"({path}: none)"; }
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        foreach (var p in _workers.Append(_master))
        {
            if (p is null) continue;
            try { Proc.KillTree(p); }
            catch (Exception e) { Console.Error.WriteLine($"buildbot cleanup: {e.Message}"); }
            p.Dispose();
        }
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string MasterCfg(string repo, int pbPort, int triggerPort, int workers) => $$$"""
        # Generated by bench/Farm.Bench/FixedCost/BuildbotPeer.cs: the fixed-cost peer of the farm's trivial job.
        from twisted.internet import defer, protocol, reactor
        from twisted.protocols.basic import LineReceiver
        from buildbot.plugins import schedulers, steps, util, worker
        from buildbot.util import service

        REPO = '{{{repo}}}'

        class Trigger(LineReceiver):
            delimiter = b'\n'

            def lineReceived(self, line):
                self.build()

            @defer.inlineCallbacks
            def build(self):
                try:
                    sched = self.factory.owner.master.scheduler_manager.namedServices['bench']
                    ids, results = sched.trigger(False, sourcestamps=[
                        {'codebase': '', 'repository': REPO, 'branch': 'master', 'revision': None, 'project': ''}])
                    yield ids
                    result, brids = yield results
                    self.sendLine(('done %d' % result).encode())
                except Exception as e:
                    self.sendLine(('error %r' % (e,)).encode())

        class TriggerFactory(protocol.Factory):
            protocol = Trigger

            def __init__(self, owner):
                self.owner = owner

        class TriggerService(service.BuildbotService):
            name = 'bench-trigger'
            listener = None

            def checkConfig(self, port):
                pass

            def reconfigService(self, port):
                if self.listener is None:
                    self.listener = reactor.listenTCP(port, TriggerFactory(self), interface='127.0.0.1')
                return defer.succeed(None)

            @defer.inlineCallbacks
            def stopService(self):
                if self.listener is not None:
                    yield self.listener.stopListening()
                    self.listener = None
                yield super().stopService()

        c = BuildmasterConfig = {}
        c['title'] = 'kfarm-bench'
        c['buildbotURL'] = 'http://127.0.0.1/'
        c['buildbotNetUsageData'] = None
        c['db'] = {'db_url': 'sqlite:///state.sqlite'}
        c['protocols'] = {'pb': {'port': 'tcp:{{{pbPort}}}:interface=127.0.0.1'}}
        c['workers'] = [worker.Worker('w%d' % (i + 1), 'bench-pass', max_builds=1) for i in range({{{workers}}})]
        c['change_source'] = []
        c['schedulers'] = [schedulers.Triggerable(name='bench', builderNames=['trivial'])]
        c['services'] = [TriggerService({{{triggerPort}}})]

        f = util.BuildFactory()
        f.addStep(steps.Git(repourl=REPO, branch='master', mode='full', method='clobber', shallow=True, haltOnFailure=True))
        f.addStep(steps.ShellCommand(name='configure', command=['make', 'O=build', 'ARCH=x86_64', 'tinyconfig'], haltOnFailure=True))
        f.addStep(steps.ShellCommand(name='build', command=['make', 'O=build', 'ARCH=x86_64', '-j2'], haltOnFailure=True))
        f.addStep(steps.MultipleFileUpload(name='artifacts',
            workersrcs=['build/vmlinux', 'build/System.map', 'build/arch/x86/boot/bzImage'],
            masterdest=util.Interpolate('artifacts/%(prop:buildnumber)s'), haltOnFailure=True))
        c['builders'] = [util.BuilderConfig(name='trivial', workernames=[w.name for w in c['workers']], factory=f, collapseRequests=False)]

        """;
}
