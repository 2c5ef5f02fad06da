using System.Text;
using Akka.Actor;
using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Tails the remote build.log into the central log. The central file's length is the resume
/// offset, so a restarted stream (new connection, new node) continues with no gap and no
/// duplicate. Step markers in the log are reported to the parent.
/// </summary>
public sealed class LogStreamActor : ReceiveActor
{
    public sealed record StepObserved(string Step);
    /// <summary>The build's process group is gone and the log is drained to its end.</summary>
    public sealed record Ended;
    public sealed record Broken(string Error);

    private const string FollowTag = "follow", DrainTag = "drain";
    private readonly IActorRef _session;
    private readonly string _workspace;
    private readonly int _processGroup;
    private readonly string _logPath;
    private readonly List<byte> _partialLine = [];
    private FileStream? _log;

    public LogStreamActor(IActorRef session, string workspace, int processGroup, string logPath)
    {
        _session = session;
        _workspace = workspace;
        _processGroup = processGroup;
        _logPath = logPath;

        ReceiveAsync<SshSessionActor.Chunk>(async c =>
        {
            await _log!.WriteAsync(c.Data);
            await _log.FlushAsync();
            ScanForMarkers(c.Data);
        });
        Receive<SshSessionActor.StreamEnded>(e => e.Tag == FollowTag, _ =>
            _session.Tell(new SshSessionActor.Stream(RemoteCommands.ReadLog(_workspace, _log!.Length), DrainTag)));
        Receive<SshSessionActor.StreamEnded>(e => e.Tag == DrainTag, _ => Context.Parent.Tell(new Ended()));
        Receive<SshSessionActor.RunFailed>(f => Context.Parent.Tell(new Broken(f.Error)));
    }

    protected override void PreStart()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
        _log = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        _session.Tell(new SshSessionActor.Stream(RemoteCommands.TailLog(_workspace, _log.Length, _processGroup), FollowTag));
    }

    protected override void PostStop() => _log?.Dispose();

    private void ScanForMarkers(byte[] data)
    {
        foreach (var b in data)
        {
            if (b != (byte)'\n') { if (_partialLine.Count < 4096) _partialLine.Add(b); continue; }
            var line = Encoding.UTF8.GetString(_partialLine.ToArray());
            _partialLine.Clear();
            if (BuildScript.ParseStepMarker(line) is { } step) Context.Parent.Tell(new StepObserved(step));
        }
    }

    public static Props Props(IActorRef session, string workspace, int processGroup, string logPath) =>
        Akka.Actor.Props.Create(() => new LogStreamActor(session, workspace, processGroup, logPath));
}
