using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Actors.Queue;

/// <summary>Waiting jobs ordered by priority (high first), then submission order.</summary>
public readonly record struct QueueKey(int Priority, long Sequence, string JobId) : IComparable<QueueKey>
{
    public int CompareTo(QueueKey other)
    {
        var p = other.Priority.CompareTo(Priority);
        return p != 0 ? p : Sequence.CompareTo(other.Sequence);
    }
}

/// <summary>A job waiting for a slot: its first try, or a retry that avoids the servers it failed on.</summary>
public sealed record WaitingJob(string JobId, BuildJobRequest Request, int Attempt, IReadOnlyList<string> AvoidServers,
    DateTimeOffset NotBefore, DateTimeOffset QueuedAt, QueueKey Key);

/// <summary>
/// The queue as a mutable value owned by QueueActor (rebuilt from its events): waiting jobs in
/// order, jobs handed to a server but not yet acknowledged by their actor, idempotency keys.
/// </summary>
public sealed class QueueState
{
    private readonly SortedSet<QueueKey> _order = [];
    /// <summary>The same waiting jobs, in order, per kind of requirement: a dispatch reads only the head of each.</summary>
    private readonly Dictionary<Requirement, SortedSet<QueueKey>> _byRequirement = new();
    /// <summary>Waiting retries by the time their back-off ends (first attempts have none).</summary>
    private readonly SortedSet<(DateTimeOffset NotBefore, QueueKey Key)> _backOff = new(BackOffOrder.Instance);
    private readonly Dictionary<string, WaitingJob> _waiting = new();
    private readonly Dictionary<string, JobDispatched> _dispatched = new();
    private readonly Dictionary<IdempotencyScope, string> _byIdempotencyKey = new();

    public long LastSequence { get; private set; }
    public long Accepted { get; private set; }
    public int WaitingCount => _waiting.Count;
    public int DispatchedCount => _dispatched.Count;
    public IEnumerable<WaitingJob> Waiting => _order.Select(k => _waiting[k.JobId]);
    public IEnumerable<JobDispatched> Dispatched => _dispatched.Values;

    public bool IsWaiting(string jobId) => _waiting.ContainsKey(jobId);
    public bool IsDispatched(string jobId) => _dispatched.ContainsKey(jobId);
    public WaitingJob? WaitingJob(string jobId) => _waiting.GetValueOrDefault(jobId);
    public JobDispatched? DispatchedJob(string jobId) => _dispatched.GetValueOrDefault(jobId);
    public string? JobForKey(IdempotencyScope key) => _byIdempotencyKey.GetValueOrDefault(key);

    public void Apply(object e)
    {
        switch (e)
        {
            case JobQueued q:
                // A first attempt may start at once (no clock comparison: the queue may move to a node whose clock lags).
                Add(new WaitingJob(q.JobId, q.Request, 1, [], DateTimeOffset.MinValue, q.At, new QueueKey(q.Request.Priority, q.Sequence, q.JobId)));
                if (q.IdempotencyKey is not null) _byIdempotencyKey[IdempotencyScope.Of(q.Request, q.IdempotencyKey)] = q.JobId;
                LastSequence = Math.Max(LastSequence, q.Sequence);
                Accepted++;
                break;
            case JobRequeued r:
                _dispatched.Remove(r.JobId);
                Add(new WaitingJob(r.JobId, r.Request, r.Attempt, r.AvoidServers, r.NotBefore, r.NotBefore,
                    new QueueKey(r.Request.Priority, r.Sequence, r.JobId)));
                LastSequence = Math.Max(LastSequence, r.Sequence);
                break;
            case JobDispatched d:
                Remove(d.Placement.JobId);
                _dispatched[d.Placement.JobId] = d;
                break;
            case JobHandedOver h:
                _dispatched.Remove(h.JobId);
                break;
            case JobWithdrawn w:
                Remove(w.JobId);
                break;
        }
    }

    private void Add(WaitingJob w)
    {
        Remove(w.JobId);
        _order.Add(w.Key);
        var req = Requirement.Of(w.Request);
        if (!_byRequirement.TryGetValue(req, out var group)) _byRequirement[req] = group = [];
        group.Add(w.Key);
        if (w.NotBefore != DateTimeOffset.MinValue) _backOff.Add((w.NotBefore, w.Key));
        _waiting[w.JobId] = w;
    }

    private void Remove(string jobId)
    {
        if (!_waiting.Remove(jobId, out var w)) return;
        _order.Remove(w.Key);
        var req = Requirement.Of(w.Request);
        if (_byRequirement.TryGetValue(req, out var group) && group.Remove(w.Key) && group.Count == 0) _byRequirement.Remove(req);
        if (w.NotBefore != DateTimeOffset.MinValue) _backOff.Remove((w.NotBefore, w.Key));
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
                w.AvoidServers, r.BuildConfig.ContainerImage, r.SourceRepository); // the repository: cache affinity, not a requirement
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
