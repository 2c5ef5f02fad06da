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
        public QueueState State { get; } = new();

        public Builder Queue(string jobId, BuildJobRequest? request = null, string? key = null)
        {
            State.Apply(new JobQueued(jobId, request ?? Request(), key, State.LastSequence + 1, T0.AddSeconds(State.LastSequence)));
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
        var s = new QueueState();
        s.Apply(new JobQueued("b", Request(), null, 7, T0));
        s.Apply(new JobQueued("a", Request(), null, 3, T0));
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
        Assert.Equivalent(new PlacementRequest("j", "arm64", "gcc-13", "/mnt/r", "/mnt/r/d", Array.Empty<string>()), Assert.Single(s.NextCandidates(1, DateTimeOffset.MaxValue)));
    }

    [Fact]
    public void Dispatch_moves_a_job_out_of_waiting_and_hand_over_forgets_it()
    {
        var s = new Builder().Queue("a").Queue("b").State;

        s.Apply(new JobDispatched(PlacementFor("a"), Attempt: 1));

        Assert.False(s.IsWaiting("a"));
        Assert.Null(s.WaitingJob("a"));
        Assert.Equal(["b"], WaitingIds(s));
        Assert.Equal(["b"], s.NextCandidates(32, DateTimeOffset.MaxValue).Select(c => c.JobId));
        Assert.Equal(1, s.WaitingCount);
        Assert.Equal(1, s.DispatchedCount);
        Assert.Equal("a", Assert.Single(s.Dispatched).Placement.JobId);

        s.Apply(new JobHandedOver("a"));

        Assert.Equal(0, s.DispatchedCount);
        Assert.Empty(s.Dispatched);
        Assert.Equal(2, s.Accepted);
    }

    [Fact]
    public void Withdraw_removes_a_waiting_job_only()
    {
        var s = new Builder().Queue("a").Queue("b").Queue("c").State;
        s.Apply(new JobDispatched(PlacementFor("c"), 1));

        s.Apply(new JobWithdrawn("b"));
        s.Apply(new JobWithdrawn("c")); // already dispatched: stays dispatched
        s.Apply(new JobWithdrawn("zzz"));

        Assert.Equal(["a"], WaitingIds(s));
        Assert.Equal("c", Assert.Single(s.Dispatched).Placement.JobId);
        Assert.Equal(["a"], s.NextCandidates(32, DateTimeOffset.MaxValue).Select(c => c.JobId));
    }

    [Fact]
    public void Waiting_job_and_idempotency_key_lookup()
    {
        var request = Request("arm64");
        var s = new Builder().Queue("a", request, key: "key-1").Queue("b").State;

        Assert.Equal("a", s.JobForKey("key-1"));
        Assert.Null(s.JobForKey("KEY-1"));
        Assert.Null(s.JobForKey("other"));
        Assert.Same(request, s.WaitingJob("a")!.Request);
        Assert.True(s.IsWaiting("b"));

        // The key keeps naming the job after it left the queue.
        s.Apply(new JobDispatched(PlacementFor("a"), 1));
        s.Apply(new JobHandedOver("a"));
        Assert.Equal("a", s.JobForKey("key-1"));
    }

    [Fact]
    public void Re_dispatch_of_an_attempt_replaces_the_earlier_one()
    {
        var s = new Builder().Queue("a").State;
        s.Apply(new JobDispatched(PlacementFor("a"), 1));
        s.Apply(new JobDispatched(PlacementFor("a"), 2));
        Assert.Equal(2, Assert.Single(s.Dispatched).Attempt);
    }
}
