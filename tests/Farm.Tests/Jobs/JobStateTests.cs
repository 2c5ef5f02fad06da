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
}
