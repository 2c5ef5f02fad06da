using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Brings a job's results into central storage: downloads what the remote manifest lists into
/// &lt;root&gt;/.staging/&lt;job&gt;, verifies every sha256, adds build.log, manifest.json and
/// metadata.json, then renames the folder into place. A job folder is visible whole or not at all,
/// and an already published folder is never written again. The manifest is checked against the
/// job's limits before anything is downloaded (<see cref="ManifestRules"/>), every download stops
/// at its declared size, and a folder in the way that is not the job's is left alone
/// (docs/storage-limits.md).
/// </summary>
public sealed class ArtifactTransferActor : ReceiveActor
{
    /// <param name="Diagnostics">The build log's compiler warnings and errors (TuxMake's counts); null when not counted.</param>
    public sealed record Completed(string Directory, IReadOnlyList<ArtifactEntry> Artifacts, BuildDiagnostics? Diagnostics = null);
    /// <summary>
    /// Storage: the central side failed (unwritable, full); Limit: the job's output broke a storage
    /// limit or rule (not retried, nothing published); otherwise the server side failed.
    /// </summary>
    public sealed record Failed(string Error, bool Storage, bool Limit = false);

    private sealed record Staged(string Staging);
    private sealed record Finalized(IReadOnlyList<ArtifactEntry> Artifacts, BuildDiagnostics? Diagnostics);
    private sealed record StorageError(string Error);

    private const string ManifestTag = "manifest";
    private const int Parallelism = 2;
    /// <summary>Reading a small file: past this the connection is taken for wedged (see SshSessionActor.DownloadTimeout).</summary>
    private static readonly TimeSpan ManifestTimeout = TimeSpan.FromSeconds(60);

    private readonly IActorRef _session;
    private readonly string _workspace, _root, _jobId, _liveLog;
    private readonly FarmLimits _limits;
    /// <summary>Why the root may not be used (<see cref="OutputDirectoryRule"/>), or null.</summary>
    private readonly string? _refusedRoot;
    private readonly bool _includeArtifacts;
    private readonly Func<IReadOnlyList<ArtifactEntry>, object> _metadata;
    /// <summary>Files the farm writes into the job folder besides the server's (name → text), e.g. reproducer.sh.</summary>
    private readonly Func<IReadOnlyDictionary<string, string>> _extraFiles;
    /// <summary>Counts the log's warnings and errors (on the transfer's thread); null: not counted.</summary>
    private readonly Func<BuildDiagnostics>? _diagnostics;
    private readonly Queue<ArtifactEntry> _toFetch = new();
    private IReadOnlyList<ArtifactEntry> _remote = [];
    private string _staging = "";
    private int _inFlight;
    /// <summary>The transfer failed; it ends once the downloads still in flight have returned.</summary>
    private Failed? _failure;

    public ArtifactTransferActor(IActorRef session, string workspace, string root, string jobId, string liveLog,
        bool includeArtifacts, Func<IReadOnlyList<ArtifactEntry>, object> metadata, Func<IReadOnlyDictionary<string, string>> extraFiles,
        FarmLimits limits, string? refusedRoot = null, Func<BuildDiagnostics>? diagnostics = null)
    {
        (_session, _workspace, _root, _jobId, _liveLog, _includeArtifacts, _metadata, _extraFiles, _limits, _refusedRoot, _diagnostics) =
            (session, workspace, root, jobId, liveLog, includeArtifacts, metadata, extraFiles, limits, refusedRoot, diagnostics);

        Receive<Finalized>(f => Finish(new Completed(ArtifactStore.FinalDirectory(_root, _jobId), f.Artifacts, f.Diagnostics)));
        Receive<StorageError>(e => Finish(new Failed(e.Error, Storage: true)));
        Receive<SshSessionActor.RunFailed>(f =>
        {
            if (f.Tag != ManifestTag) _inFlight--;
            Fail(new Failed(f.Storage && f.Error.StartsWith("storage: ", StringComparison.Ordinal) ? f.Error["storage: ".Length..] : f.Error, f.Storage, f.Limit));
        });
        Receive<SshSessionActor.RunResult>(r => r.Tag == ManifestTag, r =>
        {
            if (r.Result.ExitCode != 0) { Fail(new Failed($"no artifact manifest on the server: {r.Result.Stderr.Trim()}", false)); return; }
            // Whatever the manifest says is the build's word: a bad one is refused, not retried elsewhere.
            if (r.Result.Stdout.Length >= MaxManifestBytes(_limits))
            {
                Fail(new Failed($"the artifact manifest is larger than {MaxManifestBytes(_limits)} bytes (Farm:Limits:MaxArtifactFiles)", false, Limit: true));
                return;
            }
            try { _remote = ArtifactManifest.Parse(r.Result.Stdout); }
            catch (FormatException e) { Fail(new Failed($"the artifact manifest is refused: {e.Message}", false, Limit: true)); return; }
            if (ManifestRules.Check(_remote, _limits) is { } refused) { Fail(new Failed(refused, false, Limit: true)); return; }
            foreach (var a in _remote) _toFetch.Enqueue(a);
            FetchMore();
        });
        Receive<SshSessionActor.Downloaded>(_ =>
        {
            _inFlight--;
            if (_failure is not null) Fail(_failure);
            else FetchMore();
        });
        Receive<Staged>(s =>
        {
            _staging = s.Staging;
            if (_includeArtifacts) _session.Tell(new SshSessionActor.Run(RemoteCommands.ReadManifest(_workspace, MaxManifestBytes(_limits)), ManifestTag, ManifestTimeout));
            else FinalizeAsync().PipeTo(Self);
        });
    }

    protected override void PreStart()
    {
        var final = ArtifactStore.FinalDirectory(_root, _jobId);
        if (_refusedRoot is not null)
        {   // nothing may be created under a refused root, not even the staging folder
            Finish(new Failed($"output_directory {_root} is refused: {_refusedRoot}", false, Limit: true));
            return;
        }
        Task.Run<object>(() =>
        {
            try
            {
                if (Directory.Exists(final) || File.Exists(final))
                {
                    if (ArtifactStore.IsOwnedBy(final, _jobId)) return new Finalized(ReadPublished(final), _diagnostics?.Invoke());
                    return new StorageError(new FolderTakenException(final, _jobId).Message);
                }
                return new Staged(ArtifactStore.PrepareStaging(_root, _jobId));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new StorageError($"artifact storage {_root} is not writable: {e.Message}");
            }
        }).PipeTo(Self);
    }

    /// <summary>A manifest line is at most 64 + 20 + 1024 characters and three separators.</summary>
    internal static long MaxManifestBytes(FarmLimits limits) => (limits.MaxArtifactFiles + 1L) * 1112;

    /// <summary>Fetches nothing more; once no download is in flight, removes staging and reports the (first) failure.</summary>
    private void Fail(Failed failure)
    {
        _failure ??= failure;
        _toFetch.Clear();
        if (_inFlight > 0) return;
        TryDelete(_staging); // never leave a partial job behind
        Finish(_failure);
    }

    private void FetchMore()
    {
        while (_inFlight < Parallelism && _toFetch.TryDequeue(out var a))
        {
            _inFlight++;
            _session.Tell(new SshSessionActor.Download(RemoteCommands.ArtifactPath(_workspace, a.Path),
                Path.Combine(_staging, a.Path), a.Sha256, a.Size));
        }
        if (_inFlight == 0 && _toFetch.Count == 0) FinalizeAsync().PipeTo(Self);
    }

    private async Task<object> FinalizeAsync()
    {
        try
        {
            var entries = new List<ArtifactEntry>(_remote);
            var log = Path.Combine(_staging, "build.log");
            if (File.Exists(_liveLog)) File.Copy(_liveLog, log, overwrite: true);
            else await File.WriteAllTextAsync(log, "");
            entries.Add(await Describe(log, "build.log"));
            foreach (var (name, text) in _extraFiles())
            {
                var file = Path.Combine(_staging, name);
                await File.WriteAllTextAsync(file, text);
                if (name.EndsWith(".sh", StringComparison.Ordinal) && !OperatingSystem.IsWindows()) File.SetUnixFileMode(file, (UnixFileMode)0b111_101_101);
                entries.Add(await Describe(file, name));
            }
            await WriteJson(Path.Combine(_staging, "manifest.json"), entries);
            await WriteJson(Path.Combine(_staging, "metadata.json"), _metadata(entries));
            ArtifactStore.Publish(_root, _jobId);
            return new Finalized(entries, _diagnostics?.Invoke());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(_staging);
            return new StorageError(e is FolderTakenException ? e.Message : $"publishing to {_root} failed: {e.Message}");
        }
    }

    private static async Task<ArtifactEntry> Describe(string file, string relative)
    {
        await using var s = File.OpenRead(file);
        return new ArtifactEntry(relative, s.Length, Convert.ToHexStringLower(await SHA256.HashDataAsync(s)));
    }

    private static async Task WriteJson(string path, object value)
    {
        await using var s = File.Create(path);
        await JsonSerializer.SerializeAsync(s, value, value.GetType(), WriteOptions);
        await s.FlushAsync();
        s.Flush(flushToDisk: true);
    }

    private static readonly JsonSerializerOptions WriteOptions = new(FarmJson.Options) { WriteIndented = true };

    public static IReadOnlyList<ArtifactEntry> ReadPublished(string final) =>
        JsonSerializer.Deserialize<List<ArtifactEntry>>(File.ReadAllBytes(Path.Combine(final, "manifest.json")), FarmJson.Options) ?? [];

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (Exception) { /* best effort; staging is dot-prefixed and never served */ }
    }

    private void Finish(object result)
    {
        Context.Parent.Tell(result);
        Context.Stop(Self);
    }

    public static Props Props(IActorRef session, string workspace, string root, string jobId, string liveLog,
        bool includeArtifacts, Func<IReadOnlyList<ArtifactEntry>, object> metadata, Func<IReadOnlyDictionary<string, string>> extraFiles,
        FarmLimits limits, string? refusedRoot = null, Func<BuildDiagnostics>? diagnostics = null) =>
        Akka.Actor.Props.Create(() => new ArtifactTransferActor(session, workspace, root, jobId, liveLog, includeArtifacts, metadata, extraFiles, limits, refusedRoot, diagnostics));
}
