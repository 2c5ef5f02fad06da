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

/// <summary>
/// The queue as a mutable value owned by QueueActor (rebuilt from its events): waiting jobs in
/// order, jobs handed to a server but not yet acknowledged by their actor, idempotency keys.
/// </summary>
public sealed class QueueState
{
    private readonly SortedSet<QueueKey> _order = [];
    private readonly Dictionary<string, (QueueKey Key, JobQueued Job)> _waiting = new();
    private readonly Dictionary<string, JobDispatched> _dispatched = new();
    private readonly Dictionary<string, string> _byIdempotencyKey = new(StringComparer.Ordinal);

    public long LastSequence { get; private set; }
    public long Accepted { get; private set; }
    public int WaitingCount => _waiting.Count;
    public int DispatchedCount => _dispatched.Count;
    public IEnumerable<JobQueued> Waiting => _order.Select(k => _waiting[k.JobId].Job);
    public IEnumerable<JobDispatched> Dispatched => _dispatched.Values;

    public bool IsWaiting(string jobId) => _waiting.ContainsKey(jobId);
    public bool IsDispatched(string jobId) => _dispatched.ContainsKey(jobId);
    public JobQueued? WaitingJob(string jobId) => _waiting.TryGetValue(jobId, out var w) ? w.Job : null;
    public string? JobForKey(string key) => _byIdempotencyKey.GetValueOrDefault(key);

    public void Apply(object e)
    {
        switch (e)
        {
            case JobQueued q:
                var key = new QueueKey(q.Request.Priority, q.Sequence, q.JobId);
                _order.Add(key);
                _waiting[q.JobId] = (key, q);
                if (q.IdempotencyKey is not null) _byIdempotencyKey[q.IdempotencyKey] = q.JobId;
                LastSequence = Math.Max(LastSequence, q.Sequence);
                Accepted++;
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

    private void Remove(string jobId)
    {
        if (_waiting.Remove(jobId, out var w)) _order.Remove(w.Key);
    }

    /// <summary>
    /// The next jobs to offer the pool: the head of each kind of requirement, so a job no free
    /// server can take does not hold back jobs behind it that could run (no head-of-line blocking).
    /// </summary>
    public IReadOnlyList<PlacementRequest> NextCandidates(int perRequirement)
    {
        var taken = new Dictionary<(string, string?, string?, string?), int>();
        var result = new List<PlacementRequest>();
        foreach (var k in _order)
        {
            var r = _waiting[k.JobId].Job.Request;
            var req = (r.TargetArchitecture, r.Toolchain, r.BuildConfig.WorkspaceRoot, r.BuildConfig.BuildDirectory);
            var n = taken.GetValueOrDefault(req);
            if (n >= perRequirement) continue;
            taken[req] = n + 1;
            result.Add(new PlacementRequest(k.JobId, req.TargetArchitecture, req.Toolchain, req.WorkspaceRoot, req.BuildDirectory));
        }
        return result;
    }
}
