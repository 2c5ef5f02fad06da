using System.Text;
using Akka.Actor;
using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Tails the remote build.log into the central log. The central file's length is the resume
/// offset, so a restarted stream (new connection, new node) continues with no gap and no
/// duplicate. Step markers in the log are reported to the parent. Values of the job's secret_env
/// are masked on the way in (<see cref="SecretMasker"/>, length-preserving).
/// </summary>
public sealed class LogStreamActor : ReceiveActor
{
    public sealed record StepObserved(string Step);
    /// <summary>The build's process group is gone and the log is drained to its end.</summary>
    public sealed record Ended;
    public sealed record Broken(string Error);
    /// <summary>The central log cannot be written: a storage failure, not the server's.</summary>
    public sealed record StorageFailed(string Error);

    private const string FollowTag = "follow", DrainTag = "drain";
    private readonly IActorRef _session;
    private readonly string _workspace;
    private readonly int _processGroup;
    private readonly string _logPath;
    private readonly long _logBase;
    private readonly List<byte> _partialLine = [];
    private readonly SecretMasker _masker;
    private FileStream? _log;

    /// <param name="logBase">Where this attempt's remote log starts in the central log (earlier attempts precede it).</param>
    /// <param name="secrets">Values to mask in the central log (the job's secret_env values).</param>
    public LogStreamActor(IActorRef session, string workspace, int processGroup, string logPath, long logBase,
        IReadOnlyCollection<string>? secrets = null)
    {
        _masker = new SecretMasker(secrets ?? []);
        _logBase = logBase;
        _session = session;
        _workspace = workspace;
        _processGroup = processGroup;
        _logPath = logPath;

        ReceiveAsync<SshSessionActor.Chunk>(async c =>
        {
            if (!await WriteAsync(_masker.Push(c.Data))) return;
            ScanForMarkers(c.Data); // unmasked: a secret value must not hide a step marker
        });
        Receive<SshSessionActor.StreamEnded>(e => e.Tag == FollowTag, _ =>
        {
            // The drain reads from the written length, so a held-back tail comes again: scan it once.
            var again = Math.Min(_masker.Pending, _partialLine.Count);
            _partialLine.RemoveRange(_partialLine.Count - again, again);
            _masker.Discard();
            _session.Tell(new SshSessionActor.Stream(RemoteCommands.ReadLog(_workspace, RemoteOffset), DrainTag));
        });
        ReceiveAsync<SshSessionActor.StreamEnded>(e => e.Tag == DrainTag, async _ =>
        {
            if (await WriteAsync(_masker.Flush())) Context.Parent.Tell(new Ended());
        });
        Receive<SshSessionActor.RunFailed>(f => Context.Parent.Tell(new Broken(f.Error)));
    }

    protected override void PreStart()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
            _log = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Context.Parent.Tell(new StorageFailed($"cannot write the central log {_logPath}: {e.Message}"));
            Context.Stop(Self);
            return;
        }
        _session.Tell(new SshSessionActor.Stream(RemoteCommands.TailLog(_workspace, RemoteOffset, _processGroup), FollowTag));
    }

    private async Task<bool> WriteAsync(byte[] data)
    {
        if (data.Length == 0) return true;
        try
        {
            await _log!.WriteAsync(data);
            await _log.FlushAsync();
            return true;
        }
        catch (IOException e)
        {
            Context.Parent.Tell(new StorageFailed($"cannot write the central log {_logPath}: {e.Message}"));
            Context.Stop(Self);
            return false;
        }
    }

    /// <summary>The remote build.log offset to resume at: what the central log holds of this attempt.</summary>
    private long RemoteOffset => Math.Max(0, _log!.Length - _logBase);

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

    public static Props Props(IActorRef session, string workspace, int processGroup, string logPath, long logBase,
        IReadOnlyCollection<string>? secrets = null) =>
        Akka.Actor.Props.Create(() => new LogStreamActor(session, workspace, processGroup, logPath, logBase, secrets));
}
