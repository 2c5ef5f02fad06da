using System.Text.Json;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs;

/// <summary>A job's boot result: recorded by BootTested, shown on the record, forgotten by a new attempt.</summary>
public sealed class BootTestedStateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly BuildJobRequest Request = new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        Branch = "master",
        TargetArchitecture = "x86_64",
        BuildConfig = new BuildConfig { KernelConfig = "tinyconfig", BootTest = true },
    };

    private static Placement Placement(string server) => new("job-1", new BuildServer
    {
        Id = server,
        Hostname = server,
        IpAddress = "10.0.0.7",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = ["x86_64"],
        Toolchains = [new Toolchain("gcc-12", ["x86_64"])],
    }, new Toolchain("gcc-12", ["x86_64"]));

    private static readonly BootResult Failed = new(BootStatus.Fail, 1.25, "kernel panic: not syncing: VFS");

    private static JobState Booted() => new IJobEvent[]
    {
        new Created("job-1", Request, T0),
        new Assigned(Placement("srv-1"), "/w/job-1", 1, T0.AddSeconds(1)),
        new StepStarted(JobStatus.Collecting, T0.AddSeconds(100)),
        new StepStarted(JobStatus.Booting, T0.AddSeconds(101)),
        new BootTested(Failed, T0.AddSeconds(103)),
    }.Aggregate(JobState.Empty, (s, e) => s.Apply(e));

    [Fact]
    public void Boot_tested_records_the_result_without_changing_the_status()
    {
        var state = Booted();
        Assert.Equal(Failed, state.Boot);
        Assert.Equal(JobStatus.Booting, state.Status);
        Assert.Equal(T0.AddSeconds(103), state.UpdatedAt);
        Assert.Equal(Failed, state.ToRecord(null).Boot);
    }

    [Fact]
    public void A_failed_boot_still_completes_the_job()
    {
        var state = Booted()
            .Apply(new StepStarted(JobStatus.Transferring, T0.AddSeconds(104)))
            .Apply(new Completed("/a/job-1", [], T0.AddSeconds(106)));
        Assert.Equal(JobStatus.Completed, state.Status);
        Assert.Null(state.Failure);
        Assert.Equal(BootStatus.Fail, state.Boot!.Status);
    }

    [Fact]
    public void A_new_attempt_forgets_the_previous_attempts_boot()
    {
        var state = Booted()
            .Apply(new AttemptFailed(1, "srv-1", new JobFailure(FailureKind.Infrastructure, "transferring", null, "gone"), T0.AddSeconds(110), T0.AddSeconds(105)))
            .Apply(new Assigned(Placement("srv-2"), "/w/job-1", 2, T0.AddSeconds(111)));
        Assert.Null(state.Boot);
    }

    [Fact]
    public void The_record_shows_boot_as_status_duration_s_and_reason()
    {
        var json = JsonSerializer.SerializeToNode(Booted().ToRecord(null), FarmJson.Options)!["boot"]!;
        Assert.Equal("fail", json["status"]!.GetValue<string>());
        Assert.Equal(1.25, json["duration_s"]!.GetValue<double>());
        Assert.Equal("kernel panic: not syncing: VFS", json["reason"]!.GetValue<string>());
        Assert.Equal("booting", JsonSerializer.SerializeToNode(JobStatus.Booting, FarmJson.Options)!.GetValue<string>());
    }
}
