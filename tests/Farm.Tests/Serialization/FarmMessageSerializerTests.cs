using System.Text;
using System.Text.Json;
using Akka.Actor;
using KernelFarm.Messages;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Serialization.Journal;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Serialization;

public sealed class FarmMessageSerializerTests : ActorTest
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 8, 30, 15, 123, TimeSpan.FromHours(2));
    private readonly FarmMessageSerializer _serializer;

    public FarmMessageSerializerTests()
    {
        _serializer = new FarmMessageSerializer((ExtendedActorSystem)Sys);
    }

    // ---- samples: every field set to a non-default value ----

    private static BuildJobRequest Request() => new()
    {
        SourceRepository = "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git",
        Branch = "linux-6.1.y",
        CommitHash = "0123456789abcdef0123456789abcdef01234567",
        TargetArchitecture = "arm64",
        Toolchain = "clang-17",
        Priority = 7,
        BuildConfig = new BuildConfig
        {
            KernelConfig = "defconfig",
            KconfigFragments = ["CONFIG_DEBUG_INFO=y", "kernel/configs/kvm_guest.config"],
            ExtraMakeArgs = ["W=1", "-j16"],
            MakeVariables = new Dictionary<string, string> { ["KCFLAGS"] = "-Wno-error" },
            Targets = ["kernel", "headers"],
            EnableModules = false,
            BuildDtbs = false,
            CustomEnv = new Dictionary<string, string> { ["KCFLAGS"] = "-O2 'x' \"y\"", ["myVar"] = "ünï\n" },
            SecretEnv = ["myVar"],
            WorkspaceRoot = "/mnt/fast",
            BuildDirectory = "/mnt/fast/mine",
            OutputDirectory = "/mnt/artifacts",
            KeepWorkspace = true,
            GitDepth = 0,
            GitSubmodules = true,
            ArtifactPatterns = ["vmlinux", "*.ko"],
            TimeoutMinutes = 90,
            ContainerImage = "localhost/kernelfarm-builder:bookworm",
            ContainerCpus = 1.5,
            ContainerMemoryMb = 4096,
            BootTest = true,
        },
        SubmittedBy = "ci",
        NoCache = true,
        Series = new SeriesRequest { Mbox = "From 1 Mon Sep 17 00:00:00 2001\n", Range = "a..b", ContinueOnFailure = true, StepArtifacts = true },
        ListRange = new RangeListing { Good = "v6.0", Bad = "v6.1", MaxCommits = 500 },
        Webhooks = [new Webhook { Url = "https://ci.example.com/hook", Headers = new Dictionary<string, string> { ["X-Token"] = "t" }, Events = ["failed"] }],
    };

    private static Toolchain Tc() => new("gcc-12", ["arm64", "arm"], "aarch64-linux-gnu-");

    private static BuildServer Server() => new()
    {
        Id = "build-01",
        Hostname = "build-01.example.org",
        IpAddress = "2001:db8::1",
        SshUsername = "builder",
        SshPort = 2222,
        SshKeyPath = "/etc/kernelfarm/id_ed25519",
        SshHostKeyFingerprint = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
        SupportedArchitectures = ["arm64", "arm"],
        Toolchains = [Tc(), new Toolchain("clang-17", ["arm64"])],
        TotalCpuCores = 64,
        TotalMemoryMb = 131072,
        TotalStorageGb = 2048,
        MaxConcurrentJobs = 6,
        WorkspaceRoot = "/srv/builds",
        AllowedWorkspaceRoots = ["/mnt/fast", "/mnt/slow"],
        ContainerRuntime = "podman",
        ContainerImages = [new ContainerImage("localhost/kernelfarm-builder:bookworm", [Tc()])],
        ContainerDefaultCpus = 4,
        ContainerDefaultMemoryMb = 8192,
        CacheDirectory = "/srv/cache",
        GitCacheLimitMb = 1000,
        CcacheLimitMb = 500,
    };

    private static Placement Placement() => new("job-1", Server(), Tc(), "localhost/kernelfarm-builder:bookworm", "gcc (Debian 12.2.0-14) 12.2.0");

    private static PlacementRequest PlacementRequest() => new("job-1", "arm64", "gcc-12", "/mnt/fast", "/mnt/fast/x", ["build-02", "build-03"],
        "localhost/kernelfarm-builder:bookworm", "git://127.0.0.1/linux.git", "0123456789abcdef01234567");

    private static JobFailure Failure() => new(FailureKind.Infrastructure, "transferring", 255, "connection reset");

    private static ArtifactEntry[] Artifacts() =>
    [
        new("Image.gz", 12_345_678, new string('a', 64)),
        new("modules/lib/modules/6.1.0+/kernel/x.ko", 4096, new string('b', 64)),
    ];

    private static JobRecord Record() => new()
    {
        Id = "job-1",
        Request = Request(),
        Status = JobStatus.Transferring,
        ServerId = "build-01",
        Toolchain = "gcc-12",
        Transitions = [new(JobStatus.Queued, At), new(JobStatus.Assigned, At.AddSeconds(1)), new(JobStatus.Transferring, At.AddMinutes(9))],
        LogPath = "/var/lib/kernelfarm/logs/job-1.log",
        ArtifactDirectory = "/var/lib/artifacts/job-1",
        Artifacts = Artifacts(),
        Failure = Failure(),
        Boot = new BootResult(BootStatus.Fail, 60.012, "no marker within 60 s: QEMU was stopped"),
        Attempts = [AttemptRecord(), new AttemptRecord(2, "build-01", At.AddMinutes(1), At.AddMinutes(9), new JobFailure(FailureKind.Timeout, "building", 137, "time limit"))],
        WebhookDeliveries = [Delivery()],
        KcidbDelivery = KcidbDelivery(),
        ReusedFrom = "job-0",
        Warnings = 3,
        Errors = 1,
        CreatedAt = At,
        UpdatedAt = At.AddMinutes(9),
    };

    private static WebhookDelivery Delivery() => new(0, "https://ci.example.com/hook", false, 6, 503, "HTTP 503", At);

    private static WebhookDelivery KcidbDelivery() => Delivery() with { Url = "https://kcidb.example.org/submit" };

    private static AttemptRecord AttemptRecord() => new(1, "build-02", At, At.AddSeconds(30), Failure());

    private static ServerView View() =>
        new(Server(), 2, ["job-1", "job-2"], new ServerHealth(HealthStatus.Unhealthy, At, "ssh: connection refused"), At.AddDays(-3), Draining: true,
            DetectedToolchains: [new DetectedToolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-", "12.2.0", "gcc (Debian 12.2.0-14) 12.2.0")],
            DetectedContainers: new DetectedContainers("podman version 4.3.1", true, ["localhost/kernelfarm-builder:bookworm"], ["localhost/kernelfarm-missing:1"]),
            Caches: new ServerCaches([new CachedRepository("linux-0123456789abcdef.git", 4096, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero))], 8192, ["old-0123456789abcdef.git"],
                [new CachedRepository("0123456789abcdef01234567", 1 << 30, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero))]));

    /// <summary>One populated sample per concrete IFarmMessage type. A new message type needs a sample here.</summary>
    internal static readonly IReadOnlyDictionary<Type, Func<object>> Samples = new Dictionary<Type, Func<object>>
    {
        // Jobs
        [typeof(BuildJobCommands.Create)] = () => new BuildJobCommands.Create("job-1", Request(), At),
        [typeof(BuildJobCommands.Start)] = () => new BuildJobCommands.Start("job-1", Placement(), 3),
        [typeof(BuildJobCommands.Cancel)] = () => new BuildJobCommands.Cancel("job-1"),
        [typeof(BuildJobCommands.Get)] = () => new BuildJobCommands.Get("job-1"),
        [typeof(BuildJobReplies.Created)] = () => new BuildJobReplies.Created(Record()),
        [typeof(BuildJobReplies.Started)] = () => new BuildJobReplies.Started("job-1", 2),
        [typeof(BuildJobReplies.JobView)] = () => new BuildJobReplies.JobView(Record()),
        [typeof(BuildJobReplies.NotFound)] = () => new BuildJobReplies.NotFound("job-404"),
        [typeof(BuildJobReplies.AlreadyFinished)] = () => new BuildJobReplies.AlreadyFinished(Record() with { Status = JobStatus.Completed }),
        [typeof(BuildJobEvents.Created)] = () => new BuildJobEvents.Created("job-1", Request(), At),
        [typeof(BuildJobEvents.Assigned)] = () => new BuildJobEvents.Assigned(Placement(), "/srv/builds/job-job-1", 2, At),
        [typeof(BuildJobEvents.StepStarted)] = () => new BuildJobEvents.StepStarted(JobStatus.Configuring, At),
        [typeof(BuildJobEvents.Launched)] = () => new BuildJobEvents.Launched(31337, At),
        [typeof(BuildJobEvents.BootTested)] = () => new BuildJobEvents.BootTested(new BootResult(BootStatus.Fail, 1.5, "kernel panic: not syncing: VFS"), At),
        [typeof(BuildJobEvents.Completed)] = () => new BuildJobEvents.Completed("/var/lib/artifacts/job-1", Artifacts(), At, "v1:" + new string('c', 64), "job-0", new BuildDiagnostics(3, 1)),
        [typeof(BuildJobEvents.FailureDecided)] = () => new BuildJobEvents.FailureDecided(new JobFailure(FailureKind.Timeout, "building", 143, "the build exceeded its time limit of 00:30:00"), At),
        [typeof(BuildJobEvents.Failed)] = () => new BuildJobEvents.Failed(new JobFailure(FailureKind.Build, "building", 2, "make: *** Error 2"), "/var/lib/artifacts/job-1", At, Artifacts(), new BuildDiagnostics(7, 2)),
        [typeof(BuildJobEvents.CancelRequested)] = () => new BuildJobEvents.CancelRequested(At),
        [typeof(BuildJobEvents.AttemptFailed)] = () => new BuildJobEvents.AttemptFailed(2, "build-02", Failure(), At.AddSeconds(10), At),
        [typeof(BuildJobEvents.Cancelled)] = () => new BuildJobEvents.Cancelled(At),
        [typeof(BuildJobEvents.WebhookDone)] = () => new BuildJobEvents.WebhookDone(Delivery()),
        [typeof(BuildJobEvents.KcidbDelivered)] = () => new BuildJobEvents.KcidbDelivered(KcidbDelivery()),
        // Queue
        [typeof(QueueCommands.Submit)] = () => new QueueCommands.Submit("job-1", Request(), "client-key-1"),
        [typeof(QueueCommands.CapacityChanged)] = () => QueueCommands.CapacityChanged.Instance,
        [typeof(QueueCommands.Requeue)] = () => new QueueCommands.Requeue("job-1", Request(), 2, ["build-02"], At.AddSeconds(5)),
        [typeof(QueueCommands.PauseDispatch)] = () => QueueCommands.PauseDispatch.Instance,
        [typeof(QueueCommands.Withdraw)] = () => new QueueCommands.Withdraw("job-1"),
        [typeof(QueueCommands.GetStats)] = () => QueueCommands.GetStats.Instance,
        [typeof(QueueReplies.Accepted)] = () => new QueueReplies.Accepted(Record(), true),
        [typeof(QueueReplies.QueueFull)] = () => new QueueReplies.QueueFull(1000, 5),
        [typeof(QueueCommands.Recall)] = () => new QueueCommands.Recall("job-1"),
        [typeof(QueueReplies.Recalled)] = () => new QueueReplies.Recalled("job-1", Request(), At),
        [typeof(QueueCommands.IsKnown)] = () => new QueueCommands.IsKnown("job-1"),
        [typeof(QueueReplies.Known)] = () => new QueueReplies.Known("job-1", true),
        [typeof(QueueReplies.Requeued)] = () => new QueueReplies.Requeued("job-1", 2),
        [typeof(QueueReplies.Stats)] = () => new QueueReplies.Stats(3, 2, 12_345_678_901),
        [typeof(QueueReplies.Paused)] = () => QueueReplies.Paused.Instance,
        [typeof(QueueEvents.JobQueued)] = () => new QueueEvents.JobQueued("job-1", Request(), "client-key-1", 42, At),
        [typeof(QueueEvents.JobDispatched)] = () => new QueueEvents.JobDispatched(Placement(), 2),
        [typeof(QueueEvents.JobRequeued)] = () => new QueueEvents.JobRequeued("job-1", Request(), 3, ["build-01", "build-02"], At.AddSeconds(20), 43),
        [typeof(QueueEvents.JobHandedOver)] = () => new QueueEvents.JobHandedOver("job-1"),
        [typeof(QueueEvents.JobWithdrawn)] = () => new QueueEvents.JobWithdrawn("job-1"),
        // Servers
        [typeof(ServerPoolCommands.Register)] = () => new ServerPoolCommands.Register(Server()),
        [typeof(ServerPoolCommands.Remove)] = () => new ServerPoolCommands.Remove("build-01"),
        [typeof(ServerPoolCommands.Drain)] = () => new ServerPoolCommands.Drain("build-01", true),
        [typeof(ServerPoolCommands.Get)] = () => new ServerPoolCommands.Get("build-01"),
        [typeof(ServerPoolCommands.Probe)] = () => new ServerPoolCommands.Probe("srv-1"),
        [typeof(ServerPoolCommands.List)] = () => ServerPoolCommands.List.Instance,
        [typeof(ServerPoolCommands.CheckFeasible)] = () => new ServerPoolCommands.CheckFeasible("arm64", "gcc-12", "/mnt/fast", "/mnt/fast/x", "localhost/kernelfarm-builder:bookworm"),
        [typeof(ServerPoolCommands.Place)] = () => new ServerPoolCommands.Place([PlacementRequest(), PlacementRequest() with { JobId = "job-2" }]),
        [typeof(ServerPoolCommands.Release)] = () => new ServerPoolCommands.Release("job-1", "server-1"),
        [typeof(ServerPoolReplies.Registered)] = () => new ServerPoolReplies.Registered(View()),
        [typeof(ServerPoolReplies.Rejected)] = () => new ServerPoolReplies.Rejected("ip_address", "cannot reach the server over SSH", Conflict: true, Unreachable: true),
        [typeof(ServerPoolReplies.Removed)] = () => new ServerPoolReplies.Removed("build-01"),
        [typeof(ServerPoolReplies.Busy)] = () => new ServerPoolReplies.Busy("build-01", ["job-1", "job-2"]),
        [typeof(ServerPoolReplies.NotFound)] = () => new ServerPoolReplies.NotFound("build-99"),
        [typeof(ServerPoolReplies.ServerDetails)] = () => new ServerPoolReplies.ServerDetails(View()),
        [typeof(ServerPoolReplies.ServerList)] = () => new ServerPoolReplies.ServerList([View(), View() with { SlotsInUse = 0 }]),
        [typeof(ServerPoolReplies.Feasibility)] = () => new ServerPoolReplies.Feasibility(false, "target_architecture", "no registered server supports architecture riscv64"),
        [typeof(JobEnded)] = () => new JobEnded("job-1", JobStatus.Completed),
        [typeof(ServerPoolCommands.Compilers)] = () => new ServerPoolCommands.Compilers("arm64", "gcc-12", "/srv/builds", "/srv/builds/x"),
        [typeof(ServerPoolReplies.CompilerIdentities)] = () => new ServerPoolReplies.CompilerIdentities(["gcc (Debian 12.2.0-14) 12.2.0"]),
        [typeof(ServerPoolReplies.Placed)] = () => new ServerPoolReplies.Placed([Placement()]),
        [typeof(ServerPoolReplies.Released)] = () => new ServerPoolReplies.Released("job-1", "srv-1"),
        [typeof(ServerPoolEvents.ServerRegistered)] = () => new ServerPoolEvents.ServerRegistered(Server(), At),
        [typeof(ServerPoolEvents.ServerRemoved)] = () => new ServerPoolEvents.ServerRemoved("build-01", At),
        [typeof(ServerPoolEvents.DrainChanged)] = () => new ServerPoolEvents.DrainChanged("build-01", true, At),
        [typeof(ServerPoolEvents.SlotsReserved)] = () => new ServerPoolEvents.SlotsReserved([Placement(), Placement() with { JobId = "job-2" }]),
        [typeof(ServerPoolEvents.SlotReleased)] = () => new ServerPoolEvents.SlotReleased("job-1"),
        // Plans
        [typeof(PlanCommands.Accept)] = () => new PlanCommands.Accept(PlanAccepted()),
        [typeof(PlanCommands.Get)] = () => new PlanCommands.Get("plan-1"),
        [typeof(PlanCommands.Cancel)] = () => new PlanCommands.Cancel("plan-1"),
        [typeof(PlanReplies.PlanView)] = () => new PlanReplies.PlanView(new PlanRecord
        {
            Id = "plan-1", Name = "n", Description = "d", GitRepo = "git://127.0.0.1/linux.git", GitRef = "master", GitSha = new string('a', 40),
            SubmittedBy = "ci", Builds = PlanAccepted().Builds, Queued = [0], CreatedAt = At, CancelRequestedAt = At.AddMinutes(1), EndedAt = At.AddMinutes(2),
            Result = "pass", Webhooks = PlanAccepted().Webhooks, WebhookDeliveries = [Delivery()],
        }),
        [typeof(PlanReplies.NotFound)] = () => new PlanReplies.NotFound("plan-404"),
        [typeof(PlanEvents.Accepted)] = PlanAccepted,
        [typeof(PlanEvents.BuildQueued)] = () => new PlanEvents.BuildQueued(3, At),
        [typeof(PlanEvents.CancelRequested)] = () => new PlanEvents.CancelRequested(At),
        [typeof(PlanEvents.Ended)] = () => new PlanEvents.Ended("fail", At),
        [typeof(PlanEvents.WebhookDone)] = () => new PlanEvents.WebhookDone(Delivery()),
        // Bisections
        [typeof(BisectionCommands.Accept)] = () => new BisectionCommands.Accept(BisectionAccepted()),
        [typeof(BisectionCommands.Get)] = () => new BisectionCommands.Get("bisect-1"),
        [typeof(BisectionCommands.Cancel)] = () => new BisectionCommands.Cancel("bisect-1"),
        [typeof(BisectionReplies.View)] = () => new BisectionReplies.View(new BisectionRecord
        {
            Id = "bisect-1", Request = BisectionAccepted().Request, SubmittedBy = "ci", CreatedAt = At, Commits = [BisectCommitSample()], CommitCount = 1, Steps = [BisectStep()],
            CancelRequestedAt = At, EndedAt = At, Outcome = BisectOutcomeSample(), Webhooks = BisectionAccepted().Webhooks, WebhookDeliveries = [Delivery()],
        }, [BisectCommitSample()]),
        [typeof(BisectionReplies.NotFound)] = () => new BisectionReplies.NotFound("bisect-404"),
        [typeof(BisectionEvents.Accepted)] = BisectionAccepted,
        [typeof(BisectionEvents.StepPlanned)] = () => new BisectionEvents.StepPlanned(3, 2, StepRole.Probe, 17, "job-3", At),
        [typeof(BisectionEvents.StepQueued)] = () => new BisectionEvents.StepQueued(3, At),
        [typeof(BisectionEvents.RangeListed)] = () => new BisectionEvents.RangeListed([BisectCommitSample(), BisectCommitSample() with { Index = 1 }], At),
        [typeof(BisectionEvents.StepJudged)] = () => new BisectionEvents.StepJudged(3, Verdict.Skip, "the build failed for another reason", ["init/main.c:1:2: error: x"], 12.5, "build-01", true, At),
        [typeof(BisectionEvents.CancelRequested)] = () => new BisectionEvents.CancelRequested(At),
        [typeof(BisectionEvents.Ended)] = () => new BisectionEvents.Ended(BisectOutcomeSample(), At),
        [typeof(BisectionEvents.WebhookDone)] = () => new BisectionEvents.WebhookDone(Delivery()),
        [typeof(QueueSnapshot)] = () => new QueueSnapshot(
            [new WaitingJobSnapshot("job-1", Request(), 2, ["build-02"], At.AddMinutes(1), At, 41)],
            [new QueueEvents.JobDispatched(Placement(), 1)],
            [new IdempotencyKeySnapshot("ci", "key-1", "job-1")], 42, 40),
        [typeof(PoolSnapshot)] = () => new PoolSnapshot([new RegisteredServerSnapshot(Server(), At)], ["build-01"], [Placement()]),
    };

    private static BisectionEvents.Accepted BisectionAccepted() => new("bisect-1", new BisectionRequest
    {
        Template = Request(), Good = "v6.0", Bad = "v6.1",
        Criterion = new BisectCriterion { Kind = CriterionKind.SizeGrows, Match = "not really: every field set", ThresholdBytes = 4096 }, MaxParallel = 4,
    }, "ci", [new Webhook { Url = "https://ci.example/hook", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer x" }, Events = ["completed"] }], At);

    private static BisectCommit BisectCommitSample() => new(0, new string('c', 40), "A U Thor <a@example.org>", "init: a change");

    private static BisectStep BisectStep() => new()
    {
        Number = 3, Round = 2, Role = StepRole.Bad, Index = 1, JobId = "job-3", Queued = true, Verdict = Verdict.Bad, Detail = "the build failed",
        Excerpt = ["x"], DurationS = 1.5, Server = "build-01", Reused = true,
    };

    private static BisectOutcome BisectOutcomeSample() => new()
    {
        Result = BisectOutcome.Ambiguous, Message = "m", FirstBad = BisectCommitSample(), Candidates = [BisectCommitSample()], Excerpt = ["e"],
    };

    private static PlanEvents.Accepted PlanAccepted() => new("plan-1", "clang matrix", "weekly", "git://127.0.0.1/linux.git", "v6.1",
        new string('a', 40), "ci",
        [
            new PlanBuild
            {
                Index = 0, Path = "jobs[0].builds[0]", Group = "defconfigs", Name = "arm64 gcc-12 defconfig", TargetArch = "arm64", Toolchain = "gcc-12",
                Kconfig = ["defconfig", "CONFIG_KASAN=y"], JobId = "job-1", Request = Request(), Unsupported = "not really: every field set",
            },
        ], At)
    {
        Webhooks = [new Webhook { Url = "https://ci.example/hook", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer x" }, Events = ["completed"] }],
    };

    private static IEnumerable<Type> MessageTypes() =>
        typeof(IFarmMessage).Assembly.GetTypes()
            .Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });

    public static TheoryData<string> MessageTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var t in MessageTypes().OrderBy(t => t.FullName, StringComparer.Ordinal)) data.Add(t.FullName!);
        return data;
    }

    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), FarmJson.Options);

    [Fact]
    public void Every_message_type_has_a_sample()
    {
        var types = MessageTypes().ToHashSet();
        Assert.True(types.Count >= 40, $"only {types.Count} message types found: reflection went wrong");
        var missing = types.Where(t => !Samples.ContainsKey(t)).Select(t => t.FullName).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "message types without a serialization sample: " + string.Join(", ", missing));
        var stale = Samples.Keys.Where(t => !types.Contains(t)).Select(t => t.FullName).ToList();
        Assert.True(stale.Count == 0, "samples for types that are not farm messages: " + string.Join(", ", stale));
        Assert.All(Samples, kv => Assert.IsType(kv.Key, kv.Value()));
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Message_round_trips_through_the_serializer(string typeName)
    {
        var type = typeof(IFarmMessage).Assembly.GetType(typeName, throwOnError: true)!;
        Assert.True(Samples.TryGetValue(type, out var factory), $"no sample for {typeName}");
        var sample = factory();

        var manifest = _serializer.Manifest(sample);
        var bytes = _serializer.ToBinary(sample);
        var back = _serializer.FromBinary(bytes, manifest);

        Assert.IsType(type, back);
        Assert.Equal(Json(sample), Json(back));
        // remote messages travel as the API's JSON; persisted events as their journal contract (JournalFormatsTests)
        if (!JournalFormats.TryWriter(type, out _)) Assert.Equal(Json(sample), Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Samples_are_fully_populated(string typeName)
    {
        // So the round trip covers every field: no nulls and no empty lists or maps in a sample.
        var type = typeof(IFarmMessage).Assembly.GetType(typeName, throwOnError: true)!;
        var json = Json(Samples[type]());
        if (json == "{}") return; // singleton commands without fields
        Assert.DoesNotContain(":null", json);
        Assert.DoesNotContain(":[]", json);
        Assert.DoesNotContain(":{}", json);
    }

    [Fact]
    public void Records_with_lists_keep_their_values_through_the_serializer()
    {
        var sample = new ServerPoolEvents.SlotsReserved([Placement()]);
        var back = (ServerPoolEvents.SlotsReserved)_serializer.FromBinary(_serializer.ToBinary(sample), _serializer.Manifest(sample));

        var p = Assert.Single(back.Placements);
        Assert.Equal("job-1", p.JobId);
        Assert.Equal(["arm64", "arm"], p.Server.SupportedArchitectures);
        Assert.Equal("aarch64-linux-gnu-", p.Toolchain.CrossCompile);
        Assert.Equal(2222, p.Server.SshPort);
        Assert.Equal(["/mnt/fast", "/mnt/slow"], p.Server.AllowedWorkspaceRoots);
    }

    private T RoundTrip<T>(T message) where T : notnull =>
        (T)_serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void Retry_messages_keep_their_avoided_servers_attempts_and_times()
    {
        var requeued = RoundTrip(new QueueEvents.JobRequeued("job-1", Request(), 3, ["build-01", "build-02"], At.AddSeconds(20), 43));
        Assert.Equal(["build-01", "build-02"], requeued.AvoidServers);
        Assert.Equal(3, requeued.Attempt);
        Assert.Equal(At.AddSeconds(20), requeued.NotBefore);
        Assert.Equal(43, requeued.Sequence);
        Assert.Equal(90, requeued.Request.BuildConfig.TimeoutMinutes);

        var command = RoundTrip(new QueueCommands.Requeue("job-1", Request(), 2, ["build-02"], At));
        Assert.Equal(["build-02"], command.AvoidServers);

        var place = RoundTrip(new ServerPoolCommands.Place([PlacementRequest()]));
        Assert.Equivalent(PlacementRequest(), Assert.Single(place.Requests));

        var failed = RoundTrip(new BuildJobEvents.AttemptFailed(2, "build-02", Failure(), At.AddSeconds(10), At));
        Assert.Equal(new BuildJobEvents.AttemptFailed(2, "build-02", Failure(), At.AddSeconds(10), At), failed);

        var record = RoundTrip(new BuildJobReplies.JobView(Record())).Job;
        Assert.Equal(Record().Attempts, record.Attempts);

        Assert.True(RoundTrip(new ServerPoolReplies.ServerDetails(View())).Server.Draining);
        Assert.Equal(["localhost/kernelfarm-missing:1"], RoundTrip(new ServerPoolReplies.ServerDetails(View())).Server.DetectedContainers!.MissingImages);
        Assert.True(RoundTrip(new ServerPoolReplies.Rejected("ip_address", "x", Unreachable: true)).Unreachable);
        Assert.Equal(new ServerPoolReplies.Feasibility(false, "toolchain", "no"), RoundTrip(new ServerPoolReplies.Feasibility(false, "toolchain", "no")));
    }

    [Fact]
    public void New_fields_have_snake_case_names_in_the_journal()
    {
        Assert.Equal(
            """{"job_id":"job-1","request":""" + Json(Request()) + ""","attempt":2,"avoid_servers":["build-02"],"not_before":"2025-06-01T08:30:20.123+02:00","sequence":43}""",
            Json(new QueueEvents.JobRequeued("job-1", Request(), 2, ["build-02"], At.AddSeconds(5), 43)));
        Assert.Equal(
            """{"attempt":2,"server_id":"build-02","failure":""" + Json(Failure()) + ""","not_before":"2025-06-01T08:30:25.123+02:00","at":"2025-06-01T08:30:15.123+02:00"}""",
            Json(new BuildJobEvents.AttemptFailed(2, "build-02", Failure(), At.AddSeconds(10), At)));
        Assert.Equal("""{"server_id":"build-01","draining":true,"at":"2025-06-01T08:30:15.123+02:00"}""",
            Json(new ServerPoolEvents.DrainChanged("build-01", true, At)));
        Assert.Contains("\"timeout_minutes\":90", Json(Request()));
        Assert.Contains("\"attempts\":[{\"attempt\":1,\"server_id\":\"build-02\",\"started_at\":", Json(Record()));
        Assert.Contains("\"avoid_servers\":[\"build-02\",\"build-03\"]", Json(PlacementRequest()));
    }

    /// <summary>The sample's JSON without one property, as a journal written before that property existed has it.</summary>
    private static T Without<T>(T sample, params string[] path) where T : notnull
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Json(sample))!.AsObject();
        foreach (var name in path[..^1]) node = node[name]!.AsObject();
        Assert.True(node.Remove(path[^1]), $"sample has no {string.Join(".", path)}");
        return JsonSerializer.Deserialize<T>(node.Root.ToJsonString(), FarmJson.Options)!;
    }

    [Fact]
    public void Events_written_before_the_retry_fields_existed_still_read()
    {
        Assert.Null(Without(Request(), "build_config", "timeout_minutes").BuildConfig.TimeoutMinutes);
        Assert.Empty(Without(Record(), "attempts").Attempts);
        Assert.False(Without(View(), "draining").Draining);
        Assert.Null(Without(View(), "detected_containers").DetectedContainers);
        Assert.False(Without(new ServerPoolReplies.Rejected("id", "x", true, true), "unreachable").Unreachable);
    }

    [Fact]
    public void Times_keep_their_offset_and_milliseconds()
    {
        var back = (BuildJobEvents.Launched)_serializer.FromBinary(
            _serializer.ToBinary(new BuildJobEvents.Launched(1, At)), _serializer.Manifest(new BuildJobEvents.Launched(1, At)));
        Assert.Equal(At, back.At);
        Assert.Equal(At.Offset, back.At.Offset);
    }

    [Fact]
    public void Manifests_are_short_stable_names_below_the_messages_namespace()
    {
        Assert.Equal("Jobs.BuildJobCommands+Create", _serializer.Manifest(Samples[typeof(BuildJobCommands.Create)]()));
        Assert.Equal("Queue.QueueEvents+JobQueued", FarmMessageSerializer.ManifestOf(typeof(QueueEvents.JobQueued)));
        Assert.Equal("Servers.ServerPoolEvents+SlotReleased", FarmMessageSerializer.ManifestOf(typeof(ServerPoolEvents.SlotReleased)));
        var manifests = MessageTypes().Select(FarmMessageSerializer.ManifestOf).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        Assert.All(manifests, m => Assert.DoesNotContain("KernelFarm", m));
        Assert.Equal(4711, _serializer.Identifier);
    }

    [Fact]
    public void Unknown_manifest_is_refused()
    {
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            _serializer.FromBinary("{}"u8.ToArray(), "Jobs.BuildJobCommands+Explode"));
        Assert.Contains("Jobs.BuildJobCommands+Explode", e.Message);
    }

    [Fact]
    public void Build_job_request_json_uses_snake_case_names_and_keeps_env_keys()
    {
        using var doc = JsonDocument.Parse(Json(Request()));
        var root = doc.RootElement;

        Assert.Equal(
            ["branch", "build_config", "commit_hash", "list_range", "no_cache", "priority", "series", "source_repository", "submitted_by", "target_architecture", "toolchain", "webhooks"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["artifact_patterns", "boot_test", "build_directory", "build_dtbs", "ccache", "container_cpus", "container_image", "container_memory_mb", "custom_env", "enable_modules", "extra_make_args", "git_depth",
             "git_submodules", "kconfig_fragments", "keep_workspace", "kernel_config", "make_variables", "output_directory", "secret_env", "targets", "timeout_minutes", "workspace_root"],
            root.GetProperty("build_config").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git", root.GetProperty("source_repository").GetString());

        var env = root.GetProperty("build_config").GetProperty("custom_env");
        Assert.Equal(["KCFLAGS", "myVar"], env.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("ünï\n", env.GetProperty("myVar").GetString());
    }

    [Fact]
    public void Custom_env_keys_keep_their_case_when_read()
    {
        const string json = """{"target_architecture":"x86_64","build_config":{"custom_env":{"KCFLAGS":"-O2","lowerCase":"x"}}}""";
        var r = JsonSerializer.Deserialize<BuildJobRequest>(json, FarmJson.Options)!;
        Assert.Equal("-O2", r.BuildConfig.CustomEnv["KCFLAGS"]);
        Assert.Equal("x", r.BuildConfig.CustomEnv["lowerCase"]);
        Assert.False(r.BuildConfig.CustomEnv.ContainsKey("kcflags"));
    }

    [Fact]
    public void Enums_are_snake_case_strings()
    {
        Assert.Contains("\"status\":\"configuring\"", Json(new BuildJobEvents.StepStarted(JobStatus.Configuring, At)));
        Assert.Contains("\"kind\":\"infrastructure\"", Json(Failure()));
        Assert.Contains("\"status\":\"unhealthy\"", Json(new ServerHealth(HealthStatus.Unhealthy, At)));

        var back = JsonSerializer.Deserialize<BuildJobEvents.StepStarted>("""{"status":"transferring","at":"2025-01-01T00:00:00+00:00"}""", FarmJson.Options)!;
        Assert.Equal(JobStatus.Transferring, back.Status);
    }

    [Fact]
    public void A_failed_event_written_before_it_named_its_artifacts_reads_as_nothing_listed()
    {
        var old = """{"failure":{"kind":"build","step":"building","exit_code":2,"message":"m"},"artifact_directory":"/var/lib/artifacts/job-1","at":"2025-01-01T00:00:00+00:00"}""";
        var back = (BuildJobEvents.Failed)_serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(old), _serializer.Manifest(new BuildJobEvents.Failed(Failure(), null, At)));
        Assert.Equal("/var/lib/artifacts/job-1", back.ArtifactDirectory);
        Assert.Null(back.Artifacts);
        Assert.Empty(KernelFarm.Actors.Jobs.JobState.Empty.Apply(back).Artifacts);
    }

    [Fact]
    public void The_limit_failure_kind_is_a_new_string_and_old_kinds_read_as_before()
    {
        var failed = new BuildJobEvents.Failed(new JobFailure(FailureKind.Limit, "building", null, "the build log reached the limit"), null, At);
        Assert.Contains("\"kind\":\"limit\"", Json(failed));
        var back = (BuildJobEvents.Failed)_serializer.FromBinary(_serializer.ToBinary(failed), _serializer.Manifest(failed));
        Assert.Equal(FailureKind.Limit, back.Failure.Kind);
        foreach (var (text, kind) in new[] { ("build", FailureKind.Build), ("infrastructure", FailureKind.Infrastructure), ("timeout", FailureKind.Timeout) })
            Assert.Equal(kind, JsonSerializer.Deserialize<JobFailure>($$"""{"kind":"{{text}}","step":"building","exit_code":null,"message":"m"}""", FarmJson.Options)!.Kind);
    }

    [Theory]
    [InlineData("""{"status":3,"at":"2025-01-01T00:00:00+00:00"}""")]
    [InlineData("""{"status":"Bogus","at":"2025-01-01T00:00:00+00:00"}""")]
    public void Integer_or_unknown_enum_values_are_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BuildJobEvents.StepStarted>(json, FarmJson.Options));

    [Theory]
    [InlineData("""{"source_repository":"https://x","unknown_field":1}""")]
    [InlineData("""{"source_repository":"https://x","build_config":{"kernel_config":"defconfig","make_jobs":8}}""")]
    [InlineData("""{"sourceRepository":"https://x"}""")]
    public void Unknown_fields_are_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BuildJobRequest>(json, FarmJson.Options));

    [Fact]
    public void Unknown_fields_are_refused_by_the_serializer_too()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"job_id":"job-1","attempt":1,"surprise":true}""");
        Assert.ThrowsAny<JsonException>(() => _serializer.FromBinary(bytes, FarmMessageSerializer.ManifestOf(typeof(BuildJobReplies.Started))));
        var ok = (BuildJobReplies.Started)_serializer.FromBinary(
            Encoding.UTF8.GetBytes("""{"job_id":"job-1","attempt":1}"""), FarmMessageSerializer.ManifestOf(typeof(BuildJobReplies.Started)));
        Assert.Equal(new BuildJobReplies.Started("job-1", 1), ok);
    }
}
