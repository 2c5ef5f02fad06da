using System.Collections.Immutable;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// The queue as an immutable value rebuilt from its events (or a <see cref="QueueSnapshot"/> and the
/// events after it): waiting jobs in order, jobs handed to a server but not yet acknowledged by their
/// actor, idempotency keys. Immutable collections keep each event's cost logarithmic.
/// </summary>
public sealed record QueueState
{
    public static readonly QueueState Empty = new();

    private ImmutableSortedSet<QueueKey> _order = ImmutableSortedSet<QueueKey>.Empty;
    /// <summary>The same waiting jobs, in order, per kind of requirement: a dispatch reads only the head of each.</summary>
    private ImmutableDictionary<Requirement, ImmutableSortedSet<QueueKey>> _byRequirement = ImmutableDictionary<Requirement, ImmutableSortedSet<QueueKey>>.Empty;
    /// <summary>Waiting retries by the time their back-off ends (first attempts have none).</summary>
    private ImmutableSortedSet<(DateTimeOffset NotBefore, QueueKey Key)> _backOff = ImmutableSortedSet.Create<(DateTimeOffset NotBefore, QueueKey Key)>(BackOffOrder.Instance);
    private ImmutableDictionary<string, WaitingJob> _waiting = ImmutableDictionary.Create<string, WaitingJob>(StringComparer.Ordinal);
    private ImmutableDictionary<string, JobDispatched> _dispatched = ImmutableDictionary.Create<string, JobDispatched>(StringComparer.Ordinal);
    private ImmutableDictionary<IdempotencyScope, string> _byIdempotencyKey = ImmutableDictionary<IdempotencyScope, string>.Empty;

    public long LastSequence { get; private init; }
    public long Accepted { get; private init; }
    public int WaitingCount => _waiting.Count;
    public int DispatchedCount => _dispatched.Count;
    public IEnumerable<WaitingJob> Waiting => _order.Select(k => _waiting[k.JobId]);
    /// <summary>Jobs placed but not acknowledged, in job-id order (stable across recoveries).</summary>
    public IEnumerable<JobDispatched> Dispatched => _dispatched.Values.OrderBy(d => d.Placement.JobId, StringComparer.Ordinal);

    public bool IsWaiting(string jobId) => _waiting.ContainsKey(jobId);
    public bool IsDispatched(string jobId) => _dispatched.ContainsKey(jobId);
    public WaitingJob? WaitingJob(string jobId) => _waiting.GetValueOrDefault(jobId);
    public JobDispatched? DispatchedJob(string jobId) => _dispatched.GetValueOrDefault(jobId);
    public string? JobForKey(IdempotencyScope key) => _byIdempotencyKey.GetValueOrDefault(key);

    public QueueState Apply(IQueueEvent e) => e switch
    {
        // A first attempt may start at once (no clock comparison: the queue may move to a node whose clock lags).
        JobQueued q => Add(new WaitingJob(q.JobId, q.Request, 1, [], DateTimeOffset.MinValue, q.At, new QueueKey(q.Request.Priority, q.Sequence, q.JobId))) with
        {
            _byIdempotencyKey = q.IdempotencyKey is null ? _byIdempotencyKey : _byIdempotencyKey.SetItem(IdempotencyScope.Of(q.Request, q.IdempotencyKey), q.JobId),
            LastSequence = Math.Max(LastSequence, q.Sequence),
            Accepted = Accepted + 1,
        },
        JobRequeued r => (this with { _dispatched = _dispatched.Remove(r.JobId) })
            .Add(new WaitingJob(r.JobId, r.Request, r.Attempt, r.AvoidServers, r.NotBefore, r.NotBefore, new QueueKey(r.Request.Priority, r.Sequence, r.JobId))) with
            {
                LastSequence = Math.Max(LastSequence, r.Sequence),
            },
        JobDispatched d => Remove(d.Placement.JobId) with { _dispatched = _dispatched.SetItem(d.Placement.JobId, d) },
        JobHandedOver h => this with { _dispatched = _dispatched.Remove(h.JobId) },
        JobWithdrawn w => Remove(w.JobId),
        _ => this, // an event of a later release: ignored, as the journal's tolerant reading asks
    };

    private QueueState Add(WaitingJob w)
    {
        var s = Remove(w.JobId);
        var req = Requirement.Of(w.Request);
        return s with
        {
            _order = s._order.Add(w.Key),
            _byRequirement = s._byRequirement.SetItem(req, s._byRequirement.GetValueOrDefault(req, ImmutableSortedSet<QueueKey>.Empty).Add(w.Key)),
            _backOff = w.NotBefore == DateTimeOffset.MinValue ? s._backOff : s._backOff.Add((w.NotBefore, w.Key)),
            _waiting = s._waiting.SetItem(w.JobId, w),
        };
    }

    private QueueState Remove(string jobId)
    {
        if (!_waiting.TryGetValue(jobId, out var w)) return this;
        var req = Requirement.Of(w.Request);
        var group = _byRequirement.TryGetValue(req, out var g) ? g.Remove(w.Key) : null;
        return this with
        {
            _waiting = _waiting.Remove(jobId),
            _order = _order.Remove(w.Key),
            _byRequirement = group is null ? _byRequirement : group.Count == 0 ? _byRequirement.Remove(req) : _byRequirement.SetItem(req, group),
            _backOff = w.NotBefore == DateTimeOffset.MinValue ? _backOff : _backOff.Remove((w.NotBefore, w.Key)),
        };
    }

    /// <summary>What survives a restart, as the snapshot contract (<see cref="FromSnapshot"/> gives an equal state back).</summary>
    public QueueSnapshot ToSnapshot() => new(
        Waiting.Select(w => new WaitingJobSnapshot(w.JobId, w.Request, w.Attempt, w.AvoidServers, w.NotBefore, w.QueuedAt, w.Key.Sequence)).ToList(),
        Dispatched.ToList(),
        _byIdempotencyKey.OrderBy(k => k.Value, StringComparer.Ordinal).Select(k => new IdempotencyKeySnapshot(k.Key.Owner, k.Key.Key, k.Value)).ToList(),
        LastSequence, Accepted);

    public static QueueState FromSnapshot(QueueSnapshot snapshot)
    {
        var s = Empty;
        foreach (var w in snapshot.Waiting)
            s = s.Add(new WaitingJob(w.JobId, w.Request, w.Attempt, w.AvoidServers, w.NotBefore, w.QueuedAt, new QueueKey(w.Request.Priority, w.Sequence, w.JobId)));
        return s with
        {
            _dispatched = s._dispatched.SetItems(snapshot.Dispatched.Select(d => KeyValuePair.Create(d.Placement.JobId, d))),
            _byIdempotencyKey = snapshot.IdempotencyKeys.ToImmutableDictionary(k => new IdempotencyScope(k.Owner, k.Key), k => k.JobId),
            LastSequence = snapshot.LastSequence,
            Accepted = snapshot.Accepted,
        };
    }

    /// <summary>What placement needs of a job beyond a free slot: jobs with equal requirements wait in one line.</summary>
    private readonly record struct Requirement(string Architecture, string? Toolchain, string? WorkspaceRoot, string? BuildDirectory, string? ContainerImage)
    {
        public static Requirement Of(BuildJobRequest r) =>
            new(r.TargetArchitecture, r.Toolchain, r.BuildConfig.WorkspaceRoot, r.BuildConfig.BuildDirectory, r.BuildConfig.ContainerImage);
    }

    private sealed class BackOffOrder : IComparer<(DateTimeOffset NotBefore, QueueKey Key)>
    {
        public static readonly BackOffOrder Instance = new();

        public int Compare((DateTimeOffset NotBefore, QueueKey Key) x, (DateTimeOffset NotBefore, QueueKey Key) y)
        {
            var c = x.NotBefore.CompareTo(y.NotBefore);
            if (c != 0) return c;
            c = x.Key.CompareTo(y.Key);
            return c != 0 ? c : string.CompareOrdinal(x.Key.JobId, y.Key.JobId);
        }
    }

    /// <summary>
    /// The next jobs to offer the pool: the head of each kind of requirement, so a job no free
    /// server can take does not hold back jobs behind it that could run (no head-of-line blocking).
    /// Retries in their back-off are skipped until their time. Reads only the head of each kind's
    /// line (plus the jobs it skips), not every waiting job.
    /// </summary>
    /// <param name="ready">Whether a waiting job may be placed yet (its actor confirmed it exists).</param>
    public IReadOnlyList<PlacementRequest> NextCandidates(int perRequirement, DateTimeOffset now, Func<WaitingJob, bool>? ready = null)
    {
        if (perRequirement <= 0) return [];
        var chosen = new List<WaitingJob>();
        foreach (var group in _byRequirement.Values)
        {
            var n = 0;
            foreach (var k in group)
            {
                var w = _waiting[k.JobId];
                if (w.NotBefore > now || (ready is not null && !ready(w))) continue;
                chosen.Add(w);
                if (++n == perRequirement) break;
            }
        }
        chosen.Sort((a, b) => a.Key.CompareTo(b.Key));
        return chosen.Select(w =>
        {
            var r = w.Request;
            return new PlacementRequest(w.JobId, r.TargetArchitecture, r.Toolchain, r.BuildConfig.WorkspaceRoot, r.BuildConfig.BuildDirectory,
                w.AvoidServers, r.BuildConfig.ContainerImage, r.SourceRepository, // the repository and a series' tree: cache affinity, not requirements
                Execution.SeriesTree.Key(r));
        }).ToList();
    }

    /// <summary>When the earliest retry in back-off becomes eligible, if any.</summary>
    public DateTimeOffset? NextRetryAt(DateTimeOffset now)
    {
        // In back-off order: skips only the retries already due (they wait for a slot, not for time).
        foreach (var (notBefore, _) in _backOff)
            if (notBefore > now) return notBefore;
        return null;
    }
}
