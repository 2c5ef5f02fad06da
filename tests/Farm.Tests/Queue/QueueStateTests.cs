using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Tests.Queue;

public sealed class QueueStateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static BuildJobRequest Request(string arch = "x86_64", int priority = 0, string? toolchain = null, string? root = null, string? dir = null) => new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        TargetArchitecture = arch,
        Toolchain = toolchain,
        Priority = priority,
        BuildConfig = new BuildConfig { WorkspaceRoot = root, BuildDirectory = dir },
    };

    internal static Placement PlacementFor(string jobId) => new(jobId, new BuildServer
    {
        Id = "srv-1",
        Hostname = "srv-1",
        IpAddress = "10.0.0.1",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = ["x86_64"],
        Toolchains = [new Toolchain("gcc-12", ["x86_64"])],
    }, new Toolchain("gcc-12", ["x86_64"]));

    private sealed class Builder
    {
        public QueueState State { get; private set; } = QueueState.Empty;

        public Builder Queue(string jobId, BuildJobRequest? request = null, string? key = null)
        {
            State = State.Apply(new JobQueued(jobId, request ?? Request(), key, State.LastSequence + 1, T0.AddSeconds(State.LastSequence)));
            return this;
        }

        public Builder Dispatch(string jobId, int attempt = 1)
        {
            State = State.Apply(new JobDispatched(PlacementFor(jobId), attempt));
            return this;
        }

        public Builder HandOver(string jobId)
        {
            State = State.Apply(new JobHandedOver(jobId));
            return this;
        }

        public Builder Requeue(string jobId, int attempt, DateTimeOffset notBefore, string[]? avoid = null, BuildJobRequest? request = null)
        {
            State = State.Apply(new JobRequeued(jobId, request ?? Request(), attempt, avoid ?? ["srv-1"], notBefore, State.LastSequence + 1));
            return this;
        }
    }

    private static string[] WaitingIds(QueueState s) => s.Waiting.Select(q => q.JobId).ToArray();

    [Fact]
    public void Higher_priority_first_then_submission_order()
    {
        var s = new Builder()
            .Queue("a", Request(priority: 0))
            .Queue("b", Request(priority: 5))
            .Queue("c", Request(priority: 0))
            .Queue("d", Request(priority: -3))
            .Queue("e", Request(priority: 5))
            .Queue("f", Request(priority: 10))
            .State;

        Assert.Equal(["f", "b", "e", "a", "c", "d"], WaitingIds(s));
        Assert.Equal(["f", "b", "e", "a", "c", "d"], s.NextCandidates(32, DateTimeOffset.MaxValue).Select(c => c.JobId));
        Assert.Equal(6, s.WaitingCount);
        Assert.Equal(6, s.Accepted);
        Assert.Equal(6, s.LastSequence);
    }

    [Fact]
    public void QueueKey_orders_by_priority_descending_then_sequence()
    {
        Assert.True(new QueueKey(5, 10, "x").CompareTo(new QueueKey(1, 1, "y")) < 0);
        Assert.True(new QueueKey(1, 1, "x").CompareTo(new QueueKey(1, 2, "y")) < 0);
        Assert.True(new QueueKey(1, 3, "x").CompareTo(new QueueKey(1, 2, "y")) > 0);
    }

    [Fact]
    public void Recovered_events_with_out_of_order_sequences_keep_the_highest_sequence()
    {
        var s = QueueState.Empty;
        s = s.Apply(new JobQueued("b", Request(), null, 7, T0));
        s = s.Apply(new JobQueued("a", Request(), null, 3, T0));
        Assert.Equal(7, s.LastSequence);
        Assert.Equal(["a", "b"], WaitingIds(s));
    }

    [Fact]
    public void NextCandidates_gives_the_head_of_each_requirement_group()
    {
        // An arm64 job no server may take sits first; x86 jobs behind it must still be offered.
        var s = new Builder()
            .Queue("arm-1", Request("arm64", priority: 9))
            .Queue("arm-2", Request("arm64", priority: 9))
            .Queue("x86-1", Request("x86_64"))
            .Queue("x86-2", Request("x86_64"))
            .Queue("x86-clang", Request("x86_64", toolchain: "clang-17"))
            .Queue("x86-fast", Request("x86_64", root: "/mnt/fast"))
            .Queue("x86-dir", Request("x86_64", dir: "/mnt/fast/x"))
            .Queue("x86-3", Request("x86_64"))
            .State;

        var one = s.NextCandidates(1, DateTimeOffset.MaxValue);
        Assert.Equal(["arm-1", "x86-1", "x86-clang", "x86-fast", "x86-dir"], one.Select(c => c.JobId));

        var two = s.NextCandidates(2, DateTimeOffset.MaxValue);
        Assert.Equal(["arm-1", "arm-2", "x86-1", "x86-2", "x86-clang", "x86-fast", "x86-dir"], two.Select(c => c.JobId));

        Assert.Equal(8, s.NextCandidates(100, DateTimeOffset.MaxValue).Count);
        Assert.Empty(s.NextCandidates(0, DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Candidates_carry_the_job_requirements()
    {
        var s = new Builder().Queue("j", Request("arm64", toolchain: "gcc-13", root: "/mnt/r", dir: "/mnt/r/d")).State;
        Assert.Equivalent(new PlacementRequest("j", "arm64", "gcc-13", "/mnt/r", "/mnt/r/d", Array.Empty<string>(), null, "https://git.example.org/linux.git"), Assert.Single(s.NextCandidates(1, DateTimeOffset.MaxValue)));
    }

    [Fact]
    public void Dispatch_moves_a_job_out_of_waiting_and_hand_over_forgets_it()
    {
        var s = new Builder().Queue("a").Queue("b").State;

        s = s.Apply(new JobDispatched(PlacementFor("a"), Attempt: 1));

        Assert.False(s.IsWaiting("a"));
        Assert.Null(s.WaitingJob("a"));
        Assert.Equal(["b"], WaitingIds(s));
        Assert.Equal(["b"], s.NextCandidates(32, DateTimeOffset.MaxValue).Select(c => c.JobId));
        Assert.Equal(1, s.WaitingCount);
        Assert.Equal(1, s.DispatchedCount);
        Assert.Equal("a", Assert.Single(s.Dispatched).Placement.JobId);

        s = s.Apply(new JobHandedOver("a"));

        Assert.Equal(0, s.DispatchedCount);
        Assert.Empty(s.Dispatched);
        Assert.Equal(2, s.Accepted);
    }

    [Fact]
    public void Withdraw_removes_a_waiting_job_only()
    {
        var s = new Builder().Queue("a").Queue("b").Queue("c").State;
        s = s.Apply(new JobDispatched(PlacementFor("c"), 1));

        s = s.Apply(new JobWithdrawn("b"));
        s = s.Apply(new JobWithdrawn("c")); // already dispatched: stays dispatched
        s = s.Apply(new JobWithdrawn("zzz"));

        Assert.Equal(["a"], WaitingIds(s));
        Assert.Equal("c", Assert.Single(s.Dispatched).Placement.JobId);
        Assert.Equal(["a"], s.NextCandidates(32, DateTimeOffset.MaxValue).Select(c => c.JobId));
    }

    [Fact]
    public void Waiting_job_and_idempotency_key_lookup()
    {
        var request = Request("arm64");
        var s = new Builder().Queue("a", request, key: "key-1").Queue("b").State;

        Assert.Equal("a", s.JobForKey(new(null, "key-1")));
        Assert.Null(s.JobForKey(new(null, "KEY-1")));
        Assert.Null(s.JobForKey(new(null, "other")));
        Assert.Same(request, s.WaitingJob("a")!.Request);
        Assert.True(s.IsWaiting("b"));

        // The key keeps naming the job after it left the queue.
        s = s.Apply(new JobDispatched(PlacementFor("a"), 1));
        s = s.Apply(new JobHandedOver("a"));
        Assert.Equal("a", s.JobForKey(new(null, "key-1")));
    }

    [Fact]
    public void An_idempotency_key_belongs_to_the_token_that_sent_it()
    {
        var s = new Builder()
            .Queue("alice-job", Request() with { SubmittedBy = "alice" }, key: "k")
            .Queue("bob-job", Request() with { SubmittedBy = "bob" }, key: "k")
            .Queue("legacy-job", key: "old") // a JobQueued of an earlier release: no submitted_by
            .State;

        Assert.Equal("alice-job", s.JobForKey(new("alice", "k")));
        Assert.Equal("bob-job", s.JobForKey(new("bob", "k")));
        Assert.Null(s.JobForKey(new("mallory", "k")));
        // an owner-less key loads and still names its job, but no token's submission matches it
        Assert.Equal("legacy-job", s.JobForKey(new(null, "old")));
        Assert.Null(s.JobForKey(new("alice", "old")));
    }

    [Fact]
    public void Re_dispatch_of_an_attempt_replaces_the_earlier_one()
    {
        var s = new Builder().Queue("a").State;
        s = s.Apply(new JobDispatched(PlacementFor("a"), 1));
        s = s.Apply(new JobDispatched(PlacementFor("a"), 2));
        Assert.Equal(2, Assert.Single(s.Dispatched).Attempt);
    }

    // ---- retries ----

    private static string[] CandidateIds(QueueState s, DateTimeOffset now, int perRequirement = 32) =>
        s.NextCandidates(perRequirement, now).Select(c => c.JobId).ToArray();

    [Fact]
    public void Requeue_puts_a_dispatched_job_back_to_waiting_with_its_attempt_and_avoided_servers()
    {
        var s = new Builder().Queue("a").Dispatch("a").State;
        Assert.True(s.IsDispatched("a"));
        Assert.Equal(1, s.DispatchedJob("a")!.Attempt);

        var request = Request("arm64", priority: 3);
        s = s.Apply(new JobRequeued("a", request, 2, ["srv-1", "srv-2"], T0.AddMinutes(1), 17));

        Assert.False(s.IsDispatched("a"));
        Assert.Null(s.DispatchedJob("a"));
        Assert.Equal(0, s.DispatchedCount);
        Assert.True(s.IsWaiting("a"));
        var w = s.WaitingJob("a")!;
        Assert.Equal("a", w.JobId);
        Assert.Same(request, w.Request);
        Assert.Equal(2, w.Attempt);
        Assert.Equal(["srv-1", "srv-2"], w.AvoidServers);
        Assert.Equal(T0.AddMinutes(1), w.NotBefore);
        Assert.Equal(new QueueKey(3, 17, "a"), w.Key);
        Assert.Equal(17, s.LastSequence);
        Assert.Equal(1, s.Accepted); // a retry is not a new submission
        Assert.Equal(1, s.WaitingCount);
    }

    [Fact]
    public void Requeue_of_a_handed_over_job_makes_it_wait_again()
    {
        var s = new Builder().Queue("a").Dispatch("a").HandOver("a").State;
        Assert.Equal(0, s.WaitingCount + s.DispatchedCount);

        s = s.Apply(new JobRequeued("a", Request(), 2, ["srv-1"], T0, 2));

        Assert.Equal(["a"], WaitingIds(s));
        Assert.Equal(2, s.WaitingJob("a")!.Attempt);
        Assert.Empty(s.Dispatched);
    }

    [Fact]
    public void First_attempts_wait_with_attempt_one_and_nothing_to_avoid()
    {
        var s = new Builder().Queue("a").State;
        var w = s.WaitingJob("a")!;
        Assert.Equal(1, w.Attempt);
        Assert.Empty(w.AvoidServers);
        Assert.Equal(T0, w.QueuedAt);
        Assert.Empty(Assert.Single(s.NextCandidates(1, T0)).AvoidServers);
    }

    [Fact]
    public void A_retry_in_back_off_is_skipped_then_offered_with_its_avoided_servers()
    {
        var due = T0.AddSeconds(30);
        var s = new Builder().Queue("a").Dispatch("a").Queue("b").Requeue("a", 2, due, ["srv-1"]).State;

        // Before its time the retry is not offered, but it still waits (and counts).
        Assert.Equal(["b"], CandidateIds(s, due.AddTicks(-1)));
        Assert.True(s.IsWaiting("a"));
        Assert.Equal(2, s.WaitingCount);

        // From its time on it is offered, avoiding the server it failed on.
        Assert.Equal(["b", "a"], CandidateIds(s, due));
        var offer = s.NextCandidates(32, due.AddHours(1)).Single(c => c.JobId == "a");
        Assert.Equivalent(new PlacementRequest("a", "x86_64", null, null, null, ["srv-1"], null, "https://git.example.org/linux.git"), offer);
        Assert.Empty(s.NextCandidates(32, due).Single(c => c.JobId == "b").AvoidServers);
    }

    [Fact]
    public void A_retry_in_back_off_does_not_take_a_place_of_its_requirement_group()
    {
        // "r" is first in line but backing off: the one x86 candidate is "b", not nothing.
        var s = new Builder().Queue("r", Request(priority: 9)).Dispatch("r").Queue("b").Queue("c")
            .Requeue("r", 2, T0.AddMinutes(5), request: Request(priority: 9)).State;

        Assert.Equal(["r", "b", "c"], WaitingIds(s));
        Assert.Equal(["b"], CandidateIds(s, T0.AddMinutes(1), perRequirement: 1));
        Assert.Equal(["r"], CandidateIds(s, T0.AddMinutes(5), perRequirement: 1));
    }

    [Fact]
    public void A_retry_queues_by_priority_then_behind_jobs_queued_before_it()
    {
        var s = new Builder()
            .Queue("a").Queue("b").Queue("x", Request(priority: 5)).Dispatch("a").Dispatch("x")
            .Queue("c", Request(priority: -1))
            .Requeue("a", 2, T0)
            .Queue("d")
            .Queue("high", Request(priority: 5))
            .Requeue("x", 2, T0, request: Request(priority: 5)) // a high-priority retry keeps its priority
            .State;

        Assert.Equal(["high", "x", "b", "a", "d", "c"], WaitingIds(s));
        Assert.Equal(["high", "x", "b", "a", "d", "c"], CandidateIds(s, T0.AddMinutes(1)));
        Assert.Equal(8, s.LastSequence); // requeues take sequence numbers, new jobs continue after them
        Assert.Equal(6, s.Accepted);
    }

    [Fact]
    public void Requeue_of_a_waiting_job_replaces_the_entry()
    {
        var s = new Builder().Queue("a").Queue("b").Requeue("a", 2, T0.AddSeconds(5), ["srv-1"]).Requeue("a", 3, T0.AddSeconds(9), ["srv-1", "srv-2"]).State;

        Assert.Equal(["b", "a"], WaitingIds(s));
        Assert.Equal(2, s.WaitingCount);
        var w = s.WaitingJob("a")!;
        Assert.Equal(3, w.Attempt);
        Assert.Equal(["srv-1", "srv-2"], w.AvoidServers);
        Assert.Equal(T0.AddSeconds(9), w.NotBefore);
    }

    [Fact]
    public void Next_retry_at_is_the_earliest_back_off_still_ahead()
    {
        var s = new Builder().Queue("fresh").State;
        Assert.Null(s.NextRetryAt(T0));

        s = new Builder().Queue("fresh")
            .Requeue("a", 2, T0.AddSeconds(30))
            .Requeue("b", 2, T0.AddSeconds(10))
            .Requeue("c", 3, T0.AddSeconds(20))
            .State;

        Assert.Equal(T0.AddSeconds(10), s.NextRetryAt(T0));
        Assert.Equal(T0.AddSeconds(20), s.NextRetryAt(T0.AddSeconds(10))); // due now: no longer ahead
        Assert.Equal(T0.AddSeconds(30), s.NextRetryAt(T0.AddSeconds(25)));
        Assert.Null(s.NextRetryAt(T0.AddSeconds(30)));

        // Once dispatched or withdrawn, a retry no longer sets the next wake-up.
        s = s.Apply(new JobDispatched(PlacementFor("b"), 2));
        s = s.Apply(new JobWithdrawn("c"));
        Assert.Equal(T0.AddSeconds(30), s.NextRetryAt(T0));
    }

    [Fact]
    public void A_waiting_retry_can_be_withdrawn()
    {
        var s = new Builder().Queue("a").Dispatch("a").Requeue("a", 2, T0.AddMinutes(1)).State;
        s = s.Apply(new JobWithdrawn("a"));
        Assert.False(s.IsWaiting("a"));
        Assert.False(s.IsDispatched("a"));
        Assert.Null(s.NextRetryAt(T0));
    }

    [Fact]
    public void A_dispatched_retry_keeps_its_attempt_until_handed_over()
    {
        var s = new Builder().Queue("a").Dispatch("a").Requeue("a", 2, T0).Dispatch("a", attempt: 2).State;

        Assert.False(s.IsWaiting("a"));
        Assert.True(s.IsDispatched("a"));
        Assert.Equal(2, s.DispatchedJob("a")!.Attempt);

        s = s.Apply(new JobHandedOver("a"));
        Assert.False(s.IsDispatched("a"));
        Assert.Null(s.DispatchedJob("a"));
    }

    [Fact]
    public void Idempotency_keys_survive_a_requeue()
    {
        var s = new Builder().Queue("a", key: "k").Dispatch("a").Requeue("a", 2, T0).State;
        Assert.Equal("a", s.JobForKey(new(null, "k")));
    }

    [Fact]
    public void A_first_attempt_is_never_held_back_by_the_clock()
    {
        var s = new Builder().Queue("a").State; // stamped T0
        Assert.Equal(["a"], CandidateIds(s, T0.AddSeconds(-5)));
        Assert.Null(s.NextRetryAt(T0.AddSeconds(-5)));
    }

    [Fact]
    public void Candidates_of_a_long_queue_are_the_heads_of_each_line_in_queue_order()
    {
        var b = new Builder();
        for (var i = 0; i < 10_000; i++) b.Queue($"x{i}");
        b.Queue("arm", Request("arm64"));
        var s = b.State;

        var all = s.NextCandidates(32, T0.AddDays(1));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => $"x{i}").Append("arm"), all.Select(c => c.JobId));

        // Jobs not ready yet are skipped, not counted: the line's next ready jobs are offered.
        var notReady = new HashSet<string> { "x0", "x1", "x2", "x3", "x4" };
        var ready = s.NextCandidates(32, T0.AddDays(1), w => !notReady.Contains(w.JobId));
        Assert.Equal(Enumerable.Range(5, 32).Select(i => $"x{i}").Append("arm"), ready.Select(c => c.JobId));
    }

    [Fact]
    public void A_retry_requeued_again_waits_only_for_its_latest_back_off()
    {
        var s = new Builder().Queue("a").Dispatch("a").Requeue("a", 2, T0.AddSeconds(10)).State;
        s = s.Apply(new JobDispatched(PlacementFor("a"), 2));
        s = s.Apply(new JobRequeued("a", Request(), 3, ["srv-1"], T0.AddSeconds(40), s.LastSequence + 1));

        Assert.Equal(T0.AddSeconds(40), s.NextRetryAt(T0));
        Assert.Empty(CandidateIds(s, T0.AddSeconds(20)));
        Assert.Equal(["a"], CandidateIds(s, T0.AddSeconds(40)));
    }
}
