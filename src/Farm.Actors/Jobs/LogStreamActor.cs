using System.Text;
using Akka.Actor;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Storage;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Tails the remote build.log into the central log. The central file's length is the resume
/// offset, so a restarted stream (new connection, new node) continues with no gap and no
/// duplicate. Step markers in the log are reported to the parent. Values of the job's secret_env
/// are masked on the way in (<see cref="SecretMasker"/>, length-preserving). The central log never
/// grows past the job's cap (<see cref="LogCap"/>): it is cut there and the parent is told.
/// </summary>
public sealed class LogStreamActor : ReceiveActor
{
    public sealed record StepObserved(string Step);
    /// <summary>The build's process group is gone and the log is drained to its end.</summary>
    public sealed record Ended;
    public sealed record Broken(string Error);
    /// <summary>The central log cannot be written: a storage failure, not the server's.</summary>
    public sealed record StorageFailed(string Error);
    /// <summary>The central log reached its cap and was cut: the build must be stopped (kind "limit").</summary>
    public sealed record LimitReached(string Error);

    private const string FollowTag = "follow", DrainTag = "drain";
    private readonly IActorRef _session;
    private readonly string _workspace;
    private readonly int _processGroup;
    private readonly string _logPath;
    private readonly long _logBase;
    private readonly List<byte> _partialLine = [];
    private readonly SecretMasker _masker;
    private readonly long _maxLogBytes;
    private FileStream? _log;
    private bool _cut;
    /// <summary>The script's exit marker was read: the rest of the follow stream is ignored.</summary>
    private bool _ended;

    /// <param name="logBase">Where this attempt's remote log starts in the central log (earlier attempts precede it).</param>
    /// <param name="secrets">Values to mask in the central log (the job's secret_env values).</param>
    /// <param name="maxLogBytes">The central log's cap (Farm:Limits:MaxLogBytes).</param>
    public LogStreamActor(IActorRef session, string workspace, int processGroup, string logPath, long logBase,
        IReadOnlyCollection<string>? secrets = null, long maxLogBytes = long.MaxValue)
    {
        _maxLogBytes = maxLogBytes;
        _masker = new SecretMasker(secrets ?? []);
        _logBase = logBase;
        _session = session;
        _workspace = workspace;
        _processGroup = processGroup;
        _logPath = logPath;

        ReceiveAsync<SshSessionActor.Chunk>(c => !_ended, async c =>
        {
            if (_cut || !await WriteAsync(_masker.Push(c.Data))) return;
            // unmasked: a secret value must not hide a step marker
            if (!ScanForMarkers(c.Data)) return;
            // The script's last line: the log is whole, no need to wait for tail to notice the end.
            _ended = true;
            _session.Tell(new SshSessionActor.CancelStream(FollowTag));
            if (await WriteAsync(_masker.Flush())) Context.Parent.Tell(new Ended());
        });
        Receive<SshSessionActor.StreamEnded>(e => e.Tag == FollowTag && !_cut && !_ended, _ =>
        {
            // The drain reads from the written length, so a held-back tail comes again: scan it once.
            var again = Math.Min(_masker.Pending, _partialLine.Count);
            _partialLine.RemoveRange(_partialLine.Count - again, again);
            _masker.Discard();
            _session.Tell(new SshSessionActor.Stream(RemoteCommands.ReadLog(_workspace, RemoteOffset), DrainTag));
        });
        ReceiveAsync<SshSessionActor.StreamEnded>(e => e.Tag == DrainTag && !_cut, async _ =>
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
        if (LogCap.IsFull(_log.Length, _maxLogBytes))
        {   // cut before (this stream restarted, or the node did): say so again, append nothing
            _cut = true;
            Context.Parent.Tell(new LimitReached(LogCap.Reason(_maxLogBytes)));
            return;
        }
        _session.Tell(new SshSessionActor.Stream(RemoteCommands.TailLog(_workspace, RemoteOffset, _processGroup), FollowTag));
    }

    /// <summary>Appends what fits under the cap; false when the log could not take all of it (cut or failed).</summary>
    private async Task<bool> WriteAsync(byte[] data)
    {
        if (data.Length == 0) return true;
        try
        {
            var fit = LogCap.Admit(_log!.Length, data.Length, _maxLogBytes);
            await _log.WriteAsync(data.AsMemory(0, fit));
            if (fit < data.Length)
            {
                _cut = true;
                await _log.WriteAsync(LogCap.CutLine(_maxLogBytes));
            }
            await _log.FlushAsync();
            if (!_cut) return true;
            Context.Parent.Tell(new LimitReached(LogCap.Reason(_maxLogBytes)));
            return false;
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

    /// <summary>Reports the step markers in the data; true when it holds the script's exit marker (the log's last line).</summary>
    private bool ScanForMarkers(byte[] data)
    {
        foreach (var b in data)
        {
            if (b != (byte)'\n') { if (_partialLine.Count < 4096) _partialLine.Add(b); continue; }
            var line = Encoding.UTF8.GetString(_partialLine.ToArray());
            _partialLine.Clear();
            if (BuildScript.ParseStepMarker(line) is { } step) Context.Parent.Tell(new StepObserved(step));
            else if (BuildScript.IsExitMarker(line)) return true;
        }
        return false;
    }

    public static Props Props(IActorRef session, string workspace, int processGroup, string logPath, long logBase,
        IReadOnlyCollection<string>? secrets = null, long maxLogBytes = long.MaxValue) =>
        Akka.Actor.Props.Create(() => new LogStreamActor(session, workspace, processGroup, logPath, logBase, secrets, maxLogBytes));
}
