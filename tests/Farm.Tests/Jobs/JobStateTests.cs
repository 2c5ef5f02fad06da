using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

public sealed class JobStateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset T(int seconds) => T0.AddSeconds(seconds);

    private static readonly BuildJobRequest Request = new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        TargetArchitecture = "arm64",
        Toolchain = "gcc-13",
    };

    private static readonly Placement Placement = new("job-1", new BuildServer
    {
        Id = "srv-7",
        Hostname = "srv-7",
        IpAddress = "10.0.0.7",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = ["arm64"],
        Toolchains = [new Toolchain("gcc-13", ["arm64"])],
    }, new Toolchain("gcc-13", ["arm64"]));

    private static readonly ArtifactEntry[] Artifacts =
    [
        new("Image.gz", 12_345, new string('a', 64)),
        new("modules/lib/modules/6.1.0+/kernel/x.ko", 99, new string('b', 64)),
    ];

    private static JobState Apply(params IJobEvent[] events) => events.Aggregate(JobState.Empty, (s, e) => s.Apply(e));

    private static IJobEvent[] SuccessfulRun() =>
    [
        new Created("job-1", Request, T(0)),
        new Assigned(Placement, "/srv/builds/job-job-1", 1, T(10)),
        new Launched(4242, T(11)),
        new StepStarted(JobStatus.Preparing, T(12)),
        new StepStarted(JobStatus.Configuring, T(20)),
        new StepStarted(JobStatus.Building, T(30)),
        new StepStarted(JobStatus.Collecting, T(400)),
        new StepStarted(JobStatus.Transferring, T(410)),
        new Completed("/var/lib/artifacts/job-1", Artifacts, T(450)),
    ];

    [Fact]
    public void Empty_state_does_not_exist()
    {
        Assert.False(JobState.Empty.Exists);
        Assert.Equal(JobStatus.Queued, JobState.Empty.Status);
        Assert.Empty(JobState.Empty.Transitions);
    }

    [Fact]
    public void Created_starts_a_queued_job_with_its_first_transition()
    {
        var s = Apply(new Created("job-1", Request, T(0)));

        Assert.True(s.Exists);
        Assert.Equal("job-1", s.Id);
        Assert.Same(Request, s.Request);
        Assert.Equal(JobStatus.Queued, s.Status);
        Assert.Equal(T(0), s.CreatedAt);
        Assert.Equal([new StatusTransition(JobStatus.Queued, T(0))], s.Transitions);
    }

    [Fact]
    public void A_successful_run_records_every_transition_with_its_time()
    {
        var s = Apply(SuccessfulRun());

        Assert.Equal(JobStatus.Completed, s.Status);
        Assert.Equal(
        [
            new StatusTransition(JobStatus.Queued, T(0)),
            new StatusTransition(JobStatus.Assigned, T(10)),
            new StatusTransition(JobStatus.Preparing, T(12)),
            new StatusTransition(JobStatus.Configuring, T(20)),
            new StatusTransition(JobStatus.Building, T(30)),
            new StatusTransition(JobStatus.Collecting, T(400)),
            new StatusTransition(JobStatus.Transferring, T(410)),
            new StatusTransition(JobStatus.Completed, T(450)),
        ], s.Transitions);
        Assert.Equal(T(450), s.UpdatedAt);
        Assert.Equal(T(0), s.CreatedAt);
        Assert.Equal("/var/lib/artifacts/job-1", s.ArtifactDirectory);
        Assert.Equal(Artifacts, s.Artifacts);
        Assert.Null(s.Failure);
        Assert.True(s.Status.IsTerminal());
    }

    [Fact]
    public void Assigned_fixes_placement_workspace_and_attempt_and_launch_records_the_process_group()
    {
        var assigned = Apply(new Created("job-1", Request, T(0)), new Assigned(Placement, "/srv/builds/job-job-1", 2, T(5)));
        Assert.Equal(JobStatus.Assigned, assigned.Status);
        Assert.Equal(Placement, assigned.Placement);
        Assert.Equal("/srv/builds/job-job-1", assigned.Workspace);
        Assert.Equal(2, assigned.Attempt);
        Assert.Null(assigned.ProcessGroup);
        Assert.True(assigned.Status.IsOnServer());

        var launched = assigned.Apply(new Launched(777, T(6)));
        Assert.Equal(777, launched.ProcessGroup);
        Assert.Equal(JobStatus.Assigned, launched.Status); // launching is not a status change
        Assert.Equal(2, launched.Transitions.Count);
        Assert.Equal(T(6), launched.UpdatedAt);

        // A new attempt forgets the old process group.
        var reassigned = launched.Apply(new Assigned(Placement, "/srv/builds/job-job-1", 3, T(7)));
        Assert.Null(reassigned.ProcessGroup);
        Assert.Equal(3, reassigned.Attempt);
    }

    [Fact]
    public void Failed_keeps_the_failure_and_the_partial_artifact_directory()
    {
        var failure = new JobFailure(FailureKind.Build, "building", 2, "make exited 2");
        var s = Apply(
            new Created("job-1", Request, T(0)),
            new Assigned(Placement, "/w", 1, T(1)),
            new StepStarted(JobStatus.Building, T(2)),
            new Failed(failure, "/var/lib/artifacts/job-1", T(3)));

        Assert.Equal(JobStatus.Failed, s.Status);
        Assert.Equal(failure, s.Failure);
        Assert.Equal("/var/lib/artifacts/job-1", s.ArtifactDirectory);
        Assert.Empty(s.Artifacts);
        Assert.Equal([JobStatus.Queued, JobStatus.Assigned, JobStatus.Building, JobStatus.Failed], s.Transitions.Select(t => t.Status));
        Assert.Equal(T(3), s.Transitions[^1].At);
        Assert.True(s.Status.IsTerminal());
        Assert.False(s.Status.IsOnServer());
    }

    [Fact]
    public void A_decided_failure_is_pending_without_a_transition_until_failed_records_it()
    {
        var timeout = new JobFailure(FailureKind.Timeout, "building", null, "the build exceeded its time limit of 00:30:00");
        var decided = Apply(
            new Created("job-1", Request, T(0)),
            new Assigned(Placement, "/w", 1, T(1)),
            new StepStarted(JobStatus.Building, T(2)),
            new FailureDecided(timeout, T(3)));

        Assert.Equal((JobStatus.Building, timeout, (JobFailure?)null), (decided.Status, decided.PendingFailure, decided.Failure));
        Assert.Equal(3, decided.Transitions.Count); // the view shows the step it was in until the failure is recorded
        Assert.Null(decided.ToRecord(null).Failure);

        var failed = decided.Apply(new Failed(timeout, "/var/lib/artifacts/job-1", T(4)));
        Assert.Equal((JobStatus.Failed, timeout, (JobFailure?)null), (failed.Status, failed.Failure, failed.PendingFailure));
        Assert.Null(decided.Apply(new AttemptFailed(1, "srv-7", timeout, T(9), T(4))).PendingFailure); // the kill could not reach the server
        Assert.Null(decided.Apply(new Cancelled(T(4))).PendingFailure);
    }

    [Fact]
    public void Cancel_request_is_a_flag_and_cancelled_is_a_transition()
    {
        var requested = Apply(new Created("job-1", Request, T(0)), new Assigned(Placement, "/w", 1, T(1)), new CancelRequested(T(2)));
        Assert.True(requested.CancelRequested);
        Assert.Equal(JobStatus.Assigned, requested.Status);
        Assert.Equal(2, requested.Transitions.Count);
        Assert.Equal(T(2), requested.UpdatedAt);

        var cancelled = requested.Apply(new Cancelled(T(3)));
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(new StatusTransition(JobStatus.Cancelled, T(3)), cancelled.Transitions[^1]);
    }

    [Fact]
    public void Apply_does_not_change_the_earlier_state()
    {
        var created = Apply(new Created("job-1", Request, T(0)));
        var assigned = created.Apply(new Assigned(Placement, "/w", 1, T(1)));

        Assert.Equal(JobStatus.Queued, created.Status);
        Assert.Single(created.Transitions);
        Assert.Null(created.Placement);
        Assert.Equal(2, assigned.Transitions.Count);
    }

    [Fact]
    public void ToRecord_maps_every_field()
    {
        var s = Apply(SuccessfulRun());

        var r = s.ToRecord("/var/lib/kernelfarm/logs/job-1.log");

        Assert.Equal("job-1", r.Id);
        Assert.Same(Request, r.Request);
        Assert.Equal(JobStatus.Completed, r.Status);
        Assert.Equal("srv-7", r.ServerId);
        Assert.Equal("gcc-13", r.Toolchain);
        Assert.Equal(s.Transitions, r.Transitions);
        Assert.Equal("/var/lib/kernelfarm/logs/job-1.log", r.LogPath);
        Assert.Equal("/var/lib/artifacts/job-1", r.ArtifactDirectory);
        Assert.Equal(Artifacts, r.Artifacts);
        Assert.Null(r.Failure);
        Assert.Equal(T(0), r.CreatedAt);
        Assert.Equal(T(450), r.UpdatedAt);
    }

    [Fact]
    public void ToRecord_of_a_fresh_job_uses_created_at_as_updated_at_and_has_no_server()
    {
        var r = Apply(new Created("job-1", Request, T(0))).ToRecord(null);

        Assert.Equal(T(0), r.UpdatedAt);
        Assert.Null(r.ServerId);
        Assert.Null(r.Toolchain);
        Assert.Null(r.LogPath);
        Assert.Equal(JobStatus.Queued, r.Status);
    }

    [Fact]
    public void ToRecord_of_a_failed_job_carries_the_failure()
    {
        var failure = new JobFailure(FailureKind.Infrastructure, "preparing", null, "ssh connection lost");
        var r = Apply(new Created("job-1", Request, T(0)), new Failed(failure, null, T(1))).ToRecord(null);
        Assert.Equal(failure, r.Failure);
        Assert.Equal(JobStatus.Failed, r.Status);
        Assert.Null(r.ArtifactDirectory);
    }

    // ---- attempts: fail on one server, retry on another ----

    private static Placement On(string serverId) =>
        Placement with { Server = Placement.Server with { Id = serverId, Hostname = serverId } };

    private static readonly JobFailure Lost = new(FailureKind.Infrastructure, "building", null, "lost the server: connection reset");

    [Fact]
    public void A_fail_retry_complete_sequence_records_each_attempt()
    {
        var s = Apply(
            new Created("job-1", Request, T(0)),
            new Assigned(On("srv-7"), "/srv/builds/job-job-1", 1, T(10)),
            new Launched(4242, T(11)),
            new StepStarted(JobStatus.Preparing, T(12)),
            new StepStarted(JobStatus.Building, T(20)));
        Assert.Equal([new AttemptRecord(1, "srv-7", T(10), null, null)], s.Attempts);
        Assert.Empty(s.FailedServers);
        Assert.Equal(T(11), s.LaunchedAt);

        // Attempt 1 is lost: back to the queue, nothing of the old server kept.
        var failed = s.Apply(new AttemptFailed(1, "srv-7", Lost, T(35), T(30)));
        Assert.Equal(JobStatus.Queued, failed.Status);
        Assert.Null(failed.Placement);
        Assert.Null(failed.Workspace);
        Assert.Null(failed.ProcessGroup);
        Assert.Equal(1, failed.Attempt);
        Assert.Equal(T(35), failed.RetryNotBefore);
        Assert.Null(failed.Failure); // the job has not failed
        Assert.False(failed.Status.IsTerminal());
        Assert.Equal([new AttemptRecord(1, "srv-7", T(10), T(30), Lost)], failed.Attempts);
        Assert.Equal(["srv-7"], failed.FailedServers);
        Assert.Equal(new StatusTransition(JobStatus.Queued, T(30)), failed.Transitions[^1]);
        Assert.Equal(T(30), failed.UpdatedAt);
        var queuedRecord = failed.ToRecord(null);
        Assert.Null(queuedRecord.ServerId);
        Assert.Null(queuedRecord.Toolchain);
        Assert.Equal(JobStatus.Queued, queuedRecord.Status);

        // Attempt 2 on another server.
        var retried = failed.Apply(new Assigned(On("srv-8"), "/srv/builds/job-job-1", 2, T(40)));
        Assert.Equal(JobStatus.Assigned, retried.Status);
        Assert.Equal("srv-8", retried.Placement!.Server.Id);
        Assert.Equal(2, retried.Attempt);
        Assert.Null(retried.RetryNotBefore);
        Assert.Null(retried.LaunchedAt);
        Assert.Equal(
            [new AttemptRecord(1, "srv-7", T(10), T(30), Lost), new AttemptRecord(2, "srv-8", T(40), null, null)],
            retried.Attempts);

        var done = retried.Apply(new Launched(999, T(41)))
            .Apply(new StepStarted(JobStatus.Building, T(50)))
            .Apply(new StepStarted(JobStatus.Transferring, T(90)))
            .Apply(new Completed("/var/lib/artifacts/job-1", Artifacts, T(100)));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(T(41), done.LaunchedAt);
        Assert.Null(done.Failure);
        Assert.Equal(
            [new AttemptRecord(1, "srv-7", T(10), T(30), Lost), new AttemptRecord(2, "srv-8", T(40), T(100), null)],
            done.Attempts);
        Assert.Equal(["srv-7"], done.FailedServers);
        Assert.Equal(
            [JobStatus.Queued, JobStatus.Assigned, JobStatus.Preparing, JobStatus.Building, JobStatus.Queued,
             JobStatus.Assigned, JobStatus.Building, JobStatus.Transferring, JobStatus.Completed],
            done.Transitions.Select(t => t.Status));

        var record = done.ToRecord(null);
        Assert.Equal(done.Attempts, record.Attempts);
        Assert.Equal("srv-8", record.ServerId);
    }

    [Fact]
    public void The_last_attempt_failing_closes_it_with_the_failure()
    {
        var final = new JobFailure(FailureKind.Infrastructure, "preparing", null, "cannot start the build");
        var s = Apply(
            new Created("job-1", Request, T(0)),
            new Assigned(On("srv-7"), "/w", 1, T(1)),
            new AttemptFailed(1, "srv-7", Lost, T(3), T(2)),
            new Assigned(On("srv-8"), "/w", 2, T(4)),
            new AttemptFailed(2, "srv-8", Lost, T(9), T(5)),
            new Assigned(On("srv-7"), "/w", 3, T(10)),
            new Failed(final, null, T(11)));

        Assert.Equal(JobStatus.Failed, s.Status);
        Assert.Equal(final, s.Failure);
        Assert.Equal([1, 2, 3], s.Attempts.Select(a => a.Attempt));
        Assert.Equal(["srv-7", "srv-8", "srv-7"], s.Attempts.Select(a => a.ServerId));
        Assert.All(s.Attempts, a => Assert.NotNull(a.EndedAt));
        Assert.Equal(final, s.Attempts[^1].Failure);
        Assert.Equal(T(11), s.Attempts[^1].EndedAt);
        Assert.Equal(["srv-7", "srv-8"], s.FailedServers); // each server once
    }

    [Fact]
    public void A_build_failure_closes_the_open_attempt()
    {
        var build = new JobFailure(FailureKind.Build, "building", 2, "make exited 2");
        var s = Apply(new Created("job-1", Request, T(0)), new Assigned(On("srv-7"), "/w", 1, T(1)), new Failed(build, "/a", T(2)));
        Assert.Equal([new AttemptRecord(1, "srv-7", T(1), T(2), build)], s.Attempts);
        Assert.Equal(["srv-7"], s.FailedServers);
    }

    [Fact]
    public void Cancelling_a_running_attempt_closes_it_without_a_failure()
    {
        var s = Apply(new Created("job-1", Request, T(0)), new Assigned(On("srv-7"), "/w", 1, T(1)), new CancelRequested(T(2)), new Cancelled(T(3)));
        Assert.Equal([new AttemptRecord(1, "srv-7", T(1), T(3), null)], s.Attempts);
        Assert.Empty(s.FailedServers);
    }

    [Fact]
    public void Cancelling_while_a_retry_waits_leaves_the_attempts_alone()
    {
        var waiting = Apply(new Created("job-1", Request, T(0)), new Assigned(On("srv-7"), "/w", 1, T(1)), new AttemptFailed(1, "srv-7", Lost, T(60), T(2)));
        var cancelled = waiting.Apply(new Cancelled(T(3)));
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(waiting.Attempts, cancelled.Attempts);
        Assert.Equal(T(2), Assert.Single(cancelled.Attempts).EndedAt);
    }

    [Fact]
    public void A_job_that_fails_before_any_attempt_has_no_attempts()
    {
        var s = Apply(new Created("job-1", Request, T(0)), new Failed(Lost, null, T(1)));
        Assert.Empty(s.Attempts);
        Assert.Empty(s.FailedServers);
        Assert.Empty(s.ToRecord(null).Attempts);
    }

    [Fact]
    public void Launched_at_is_recorded_and_forgotten_by_a_new_attempt()
    {
        var s = Apply(new Created("job-1", Request, T(0)), new Assigned(On("srv-7"), "/w", 1, T(1)));
        Assert.Null(s.LaunchedAt);
        s = s.Apply(new Launched(5, T(2)));
        Assert.Equal(T(2), s.LaunchedAt);
        s = s.Apply(new AttemptFailed(1, "srv-7", Lost, T(4), T(3))).Apply(new Assigned(On("srv-8"), "/w", 2, T(5)));
        Assert.Null(s.LaunchedAt);
        Assert.Null(s.ProcessGroup);
    }
}
