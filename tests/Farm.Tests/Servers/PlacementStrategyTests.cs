using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Tests.Servers;

public sealed class PlacementStrategyTests
{
    private static readonly Toolchain Gcc12X86 = new("gcc-12", ["x86_64", "i386"]);
    private static readonly Toolchain Clang17 = new("clang-17", ["x86_64", "arm64"]);
    private static readonly Toolchain Gcc12Arm64Cross = new("gcc-12", ["arm64"], "aarch64-linux-gnu-");
    private static readonly Toolchain Gcc13Arm64Native = new("gcc-13", ["arm64"]);

    internal static BuildServer Server(string id, string[]? arches = null, Toolchain[]? toolchains = null, int maxJobs = 2,
        string workspaceRoot = "/srv/builds", string[]? allowedRoots = null) => new()
    {
        Id = id,
        Hostname = id + ".example.org",
        IpAddress = "10.0.0.1",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = arches ?? ["x86_64"],
        Toolchains = toolchains ?? [Gcc12X86],
        MaxConcurrentJobs = maxJobs,
        TotalCpuCores = 8,
        WorkspaceRoot = workspaceRoot,
        AllowedWorkspaceRoots = allowedRoots ?? [],
    };

    private static JobRequirements Job(string arch = "x86_64", string? toolchain = null, string? root = null, string? dir = null) =>
        new(arch, toolchain, root, dir);

    // ---- ToolchainFor ----

    [Fact]
    public void Server_without_the_architecture_offers_no_toolchain()
    {
        var s = Server("a", arches: ["x86_64"], toolchains: [Gcc12X86, Clang17]);
        Assert.Null(PlacementStrategy.ToolchainFor(s, Job("arm64")));
        Assert.Equal("clang-17", PlacementStrategy.ToolchainFor(s, Job("x86_64"))?.Name); // both native: name order
    }

    [Fact]
    public void Architecture_listed_but_no_toolchain_for_it_offers_no_toolchain()
    {
        var s = Server("a", arches: ["x86_64", "riscv64"], toolchains: [Gcc12X86]);
        Assert.Null(PlacementStrategy.ToolchainFor(s, Job("riscv64")));
    }

    [Fact]
    public void A_named_toolchain_is_used_when_present_and_nothing_else_is()
    {
        var s = Server("a", toolchains: [Gcc12X86, Clang17]);
        Assert.Equal(Clang17, PlacementStrategy.ToolchainFor(s, Job(toolchain: "clang-17")));
        Assert.Equal(Gcc12X86, PlacementStrategy.ToolchainFor(s, Job(toolchain: "gcc-12")));
        Assert.Null(PlacementStrategy.ToolchainFor(s, Job(toolchain: "gcc-14")));
        Assert.Null(PlacementStrategy.ToolchainFor(s, Job(toolchain: "GCC-12")));
    }

    [Fact]
    public void A_named_toolchain_must_target_the_architecture()
    {
        var s = Server("a", arches: ["x86_64", "arm64"], toolchains: [Gcc12X86, Gcc13Arm64Native]);
        Assert.Null(PlacementStrategy.ToolchainFor(s, Job("arm64", toolchain: "gcc-12")));
    }

    [Fact]
    public void Native_toolchain_is_preferred_over_cross()
    {
        var s = Server("a", arches: ["arm64"], toolchains: [Gcc12Arm64Cross, Gcc13Arm64Native]);
        Assert.Equal(Gcc13Arm64Native, PlacementStrategy.ToolchainFor(s, Job("arm64")));

        var reversed = Server("b", arches: ["arm64"], toolchains: [Gcc13Arm64Native, Gcc12Arm64Cross]);
        Assert.Equal(Gcc13Arm64Native, PlacementStrategy.ToolchainFor(reversed, Job("arm64")));
    }

    [Fact]
    public void Among_equal_toolchains_the_name_decides()
    {
        var s = Server("a", toolchains: [new Toolchain("gcc-13", ["x86_64"]), new Toolchain("clang-17", ["x86_64"])]);
        Assert.Equal("clang-17", PlacementStrategy.ToolchainFor(s, Job())!.Name);
    }

    // ---- paths ----

    [Theory]
    [InlineData("/srv/builds", true)]
    [InlineData("/srv/builds/team-a", true)]
    [InlineData("/mnt/fast", true)]
    [InlineData("/mnt/fast/deep/er", true)]
    [InlineData("/mnt/faster", false)]
    [InlineData("/srv/build", false)]
    [InlineData("/srv", false)]
    [InlineData("/etc", false)]
    [InlineData("/srv/builds/../../etc", false)]
    public void Workspace_root_must_be_an_allowed_root_or_inside_one(string root, bool allowed)
    {
        var s = Server("a", allowedRoots: ["/mnt/fast"]);
        Assert.Equal(allowed, PlacementStrategy.AllowsPaths(s, Job(root: root)));
        Assert.Equal(allowed, PlacementStrategy.ToolchainFor(s, Job(root: root)) is not null);
    }

    [Theory]
    [InlineData("/srv/builds/job-1", true)]
    [InlineData("/mnt/fast/mine", true)]
    [InlineData("/mnt/fast/a/b", true)]
    [InlineData("/srv/builds", false)]
    [InlineData("/mnt/fast", false)]
    [InlineData("/mnt/faster/x", false)]
    [InlineData("/home/user/linux", false)]
    [InlineData("/srv/builds/../x", false)]
    public void Build_directory_must_be_strictly_inside_an_allowed_root(string dir, bool allowed)
    {
        var s = Server("a", allowedRoots: ["/mnt/fast"]);
        Assert.Equal(allowed, PlacementStrategy.AllowsPaths(s, Job(dir: dir)));
    }

    [Fact]
    public void Both_paths_must_be_allowed()
    {
        var s = Server("a", allowedRoots: ["/mnt/fast"]);
        Assert.True(PlacementStrategy.AllowsPaths(s, Job(root: "/mnt/fast", dir: "/srv/builds/x")));
        Assert.False(PlacementStrategy.AllowsPaths(s, Job(root: "/etc", dir: "/srv/builds/x")));
        Assert.False(PlacementStrategy.AllowsPaths(s, Job(root: "/mnt/fast", dir: "/etc/x")));
        Assert.True(PlacementStrategy.AllowsPaths(s, Job()));
    }

    [Theory]
    [InlineData("/srv/builds/.kfarm-cache", null, false)]
    [InlineData("/srv/builds/.kfarm-cache/git/x.git", null, false)]
    [InlineData("/srv/builds/.kfarm-cache-not", null, true)]
    [InlineData(null, "/srv/builds/.kfarm-cache/git", false)]
    [InlineData(null, "/srv/builds/.kfarm-cache", false)]
    public void No_workspace_may_sit_in_the_servers_cache_directory(string? dir, string? root, bool allowed)
    {
        var s = Server("a");
        Assert.Equal(allowed, PlacementStrategy.AllowsPaths(s, Job(root: root, dir: dir)));
        var moved = s with { CacheDirectory = "/mnt/fast/cache", AllowedWorkspaceRoots = ["/mnt/fast"] };
        Assert.True(PlacementStrategy.AllowsPaths(moved, Job(root: root, dir: dir)));
        Assert.False(PlacementStrategy.AllowsPaths(moved, Job(dir: "/mnt/fast/cache/x")));
    }

    // ---- Choose ----

    private const string Linux = "linux-0123456789abcdef.git";

    private static ServerCapacity Holding(BuildServer server, int inUse, params string[] repositories) =>
        new(server, inUse, CachedRepositories: new HashSet<string>(repositories));

    [Fact]
    public void Among_idle_servers_the_one_whose_cache_holds_the_repository_wins()
    {
        var job = Job() with { Repository = Linux };
        Assert.Equal("b", PlacementStrategy.Choose([Holding(Server("a"), 0), Holding(Server("b"), 0, Linux)], "j", job)!.Server.Id);
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 0), Holding(Server("b"), 0, "other-0123456789abcdef.git")], "j", job)!.Server.Id);
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 0), Holding(Server("b"), 0, Linux)], "j", Job())!.Server.Id); // no repository: no preference
    }

    [Fact]
    public void Affinity_beats_load_but_never_makes_a_job_wait()
    {
        var job = Job() with { Repository = Linux };
        // b is busier but has a free slot: the warm cache is worth more than the idle core
        Assert.Equal("b", PlacementStrategy.Choose([Holding(Server("a"), 0), Holding(Server("b"), 1, Linux)], "j", job)!.Server.Id);
        // b is full: the job goes to the idle server now rather than waiting for b
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 0), Holding(Server("b"), 2, Linux)], "j", job)!.Server.Id);
        // b holds it but is draining or unhealthy: not a candidate at all
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 1), Holding(Server("b"), 0, Linux) with { Draining = true }], "j", job)!.Server.Id);
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 1), Holding(Server("b"), 0, Linux) with { Healthy = false }], "j", job)!.Server.Id);
    }

    [Fact]
    public void A_series_goes_where_its_built_tree_is_even_over_a_server_with_the_mirror_and_less_load()
    {
        const string Tree = "0123456789abcdef01234567";
        var job = Job() with { Repository = Linux, Tree = Tree };
        var warm = Holding(Server("b"), 1, Linux, KernelFarm.Actors.Execution.SeriesTree.AffinityPrefix + Tree);
        Assert.Equal("b", PlacementStrategy.Choose([Holding(Server("a"), 0, Linux), warm], "j", job)!.Server.Id);
        // full: never waits for it
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 0, Linux), warm with { SlotsInUse = 2 }], "j", job)!.Server.Id);
        // another submitter's (or kind's) tree is another key
        Assert.Equal("a", PlacementStrategy.Choose([Holding(Server("a"), 0, Linux), warm], "j", job with { Tree = "fedcba9876543210fedcba98" })!.Server.Id);
    }

    [Fact]
    public void A_series_tree_is_its_submitters_and_its_kinds()
    {
        var request = new BuildJobRequest
        {
            SourceRepository = "git://127.0.0.1/linux.git", CommitHash = "HEAD", TargetArchitecture = "x86_64", Toolchain = "gcc-12",
            BuildConfig = new BuildConfig { KernelConfig = "tinyconfig" }, Series = new SeriesRequest { Mbox = "m" }, SubmittedBy = "ada",
        };
        var key = JobRequirements.Of(request).Tree;
        Assert.Matches("^[0-9a-f]{24}$", key);
        Assert.Equal(key, JobRequirements.Of(request with { CommitHash = new string('a', 40), Series = new SeriesRequest { Mbox = "other" } }).Tree); // base and patches: the same kind
        Assert.NotEqual(key, JobRequirements.Of(request with { SubmittedBy = "bob" }).Tree);
        Assert.NotEqual(key, JobRequirements.Of(request with { BuildConfig = new BuildConfig { KernelConfig = "defconfig" } }).Tree);
        Assert.NotEqual(key, JobRequirements.Of(request with { Toolchain = "clang-14" }).Tree);
        Assert.Null(JobRequirements.Of(request with { Series = null }).Tree);
    }

    [Fact]
    public void The_jobs_repository_is_named_as_the_servers_mirror_is()
    {
        var request = new BuildJobRequest { SourceRepository = "git://127.0.0.1/linux.git", Branch = "master", CommitHash = "HEAD", TargetArchitecture = "x86_64" };
        Assert.Equal(KernelFarm.Actors.Execution.GitCache.MirrorName("git://127.0.0.1/linux.git"), JobRequirements.Of(request).Repository);
    }

    private static Placement? Choose(params ServerCapacity[] servers) => PlacementStrategy.Choose(servers, "job-1", Job());

    [Fact]
    public void Least_loaded_server_wins()
    {
        var busy = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 3);
        var quiet = new ServerCapacity(Server("b", maxJobs: 4), SlotsInUse: 1);
        var p = Choose(busy, quiet);
        Assert.NotNull(p);
        Assert.Equal("b", p.Server.Id);
        Assert.Equal("job-1", p.JobId);
        Assert.Equal(Gcc12X86, p.Toolchain);
    }

    [Fact]
    public void Load_is_relative_to_capacity()
    {
        var big = new ServerCapacity(Server("a", maxJobs: 10), SlotsInUse: 4); // 40%
        var small = new ServerCapacity(Server("b", maxJobs: 2), SlotsInUse: 1); // 50%
        Assert.Equal("a", Choose(small, big)!.Server.Id);
    }

    [Fact]
    public void Full_servers_are_skipped()
    {
        var full = new ServerCapacity(Server("a", maxJobs: 1), SlotsInUse: 1);
        var over = new ServerCapacity(Server("b", maxJobs: 1), SlotsInUse: 5);
        Assert.Equal(0, over.FreeSlots);
        Assert.Null(Choose(full, over));
        var free = new ServerCapacity(Server("z", maxJobs: 8), SlotsInUse: 7);
        Assert.Equal("z", Choose(full, free, over)!.Server.Id);
    }

    [Fact]
    public void Unhealthy_servers_are_skipped()
    {
        var sick = new ServerCapacity(Server("a"), SlotsInUse: 0, Healthy: false);
        Assert.Null(Choose(sick));
        var ok = new ServerCapacity(Server("b"), SlotsInUse: 1);
        Assert.Equal("b", Choose(sick, ok)!.Server.Id);
    }

    [Fact]
    public void Servers_that_cannot_build_the_job_are_skipped()
    {
        var arm = new ServerCapacity(Server("a", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), 0);
        var x86 = new ServerCapacity(Server("b"), 1);
        Assert.Equal("b", Choose(arm, x86)!.Server.Id);
        Assert.Null(PlacementStrategy.Choose([arm, x86], "j", Job("riscv64")));
    }

    [Fact]
    public void Equal_load_prefers_native_then_lowest_id()
    {
        var cross = new ServerCapacity(Server("a", arches: ["arm64"], toolchains: [Gcc12Arm64Cross]), 0);
        var native = new ServerCapacity(Server("b", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), 0);
        var native2 = new ServerCapacity(Server("c", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), 0);
        var job = Job("arm64");

        Assert.Equal("b", PlacementStrategy.Choose([cross, native2, native], "j", job)!.Server.Id);
        Assert.Equal("b", PlacementStrategy.Choose([native2, native, cross], "j", job)!.Server.Id);
        // Less load still beats native.
        var busyNative = native with { SlotsInUse = 1 };
        Assert.Equal("a", PlacementStrategy.Choose([busyNative, cross], "j", job)!.Server.Id);
    }

    [Fact]
    public void Named_toolchain_restricts_the_choice()
    {
        var gcc = new ServerCapacity(Server("a", toolchains: [Gcc12X86]), 0);
        var clang = new ServerCapacity(Server("b", toolchains: [Clang17]), 1);
        var p = PlacementStrategy.Choose([gcc, clang], "j", Job(toolchain: "clang-17"));
        Assert.Equal("b", p!.Server.Id);
        Assert.Equal("clang-17", p.Toolchain.Name);
    }

    [Fact]
    public void Paths_restrict_the_choice()
    {
        var plain = new ServerCapacity(Server("a"), 0);
        var fast = new ServerCapacity(Server("b", allowedRoots: ["/mnt/fast"]), 1);
        Assert.Equal("b", PlacementStrategy.Choose([plain, fast], "j", Job(root: "/mnt/fast"))!.Server.Id);
        Assert.Equal("b", PlacementStrategy.Choose([plain, fast], "j", Job(dir: "/mnt/fast/x"))!.Server.Id);
    }

    [Fact]
    public void No_servers_means_no_placement() => Assert.Null(Choose());

    // ---- Choose: draining ----

    [Fact]
    public void Draining_servers_get_no_jobs()
    {
        var draining = new ServerCapacity(Server("a", maxJobs: 8), SlotsInUse: 0, Draining: true);
        var busy = new ServerCapacity(Server("b", maxJobs: 8), SlotsInUse: 6);
        Assert.Null(Choose(draining));
        Assert.Equal("b", Choose(draining, busy)!.Server.Id); // even though "a" is idle
        Assert.Equal("a", Choose(draining with { Draining = false }, busy)!.Server.Id);
    }

    [Fact]
    public void Capacity_defaults_to_healthy_and_not_draining()
    {
        var c = new ServerCapacity(Server("a"), 0);
        Assert.True(c.Healthy);
        Assert.False(c.Draining);
    }

    // ---- Choose: avoiding the servers a retry failed on ----

    private static Placement? ChooseAvoiding(string[] avoid, params ServerCapacity[] servers) =>
        PlacementStrategy.Choose(servers, "job-1", Job(), avoid);

    [Fact]
    public void A_retry_avoids_the_servers_it_failed_on_even_when_they_are_less_loaded()
    {
        var failed = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 0);
        var other = new ServerCapacity(Server("b", maxJobs: 4), SlotsInUse: 3);
        Assert.Equal("a", ChooseAvoiding([], failed, other)!.Server.Id);
        Assert.Equal("b", ChooseAvoiding(["a"], failed, other)!.Server.Id);
    }

    [Fact]
    public void A_retry_waits_for_another_capable_server_rather_than_going_back_to_a_failed_one()
    {
        // "b" could run the job but is full right now: no fallback to "a", the retry waits for "b".
        var failed = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 0);
        var full = new ServerCapacity(Server("b", maxJobs: 1), SlotsInUse: 1);
        Assert.Null(ChooseAvoiding(["a"], failed, full));

        // An unhealthy server is no alternative: the retry goes back to "a" rather than wait for it.
        var sick = new ServerCapacity(Server("c"), SlotsInUse: 0, Healthy: false);
        Assert.Equal("a", ChooseAvoiding(["a"], failed, sick)!.Server.Id);
    }

    [Fact]
    public void A_retry_falls_back_to_a_failed_server_when_no_other_could_ever_run_it()
    {
        var failed = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 1);
        var arm = new ServerCapacity(Server("b", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), 0);
        var noPaths = new ServerCapacity(Server("c", workspaceRoot: "/other"), 0);

        Assert.Equal("a", ChooseAvoiding(["a"], failed)!.Server.Id);
        Assert.Equal("a", ChooseAvoiding(["a"], failed, arm)!.Server.Id);
        Assert.Equal("a", PlacementStrategy.Choose([failed, noPaths], "job-1", Job(dir: "/srv/builds/x"), ["a"])!.Server.Id);
    }

    [Fact]
    public void When_every_capable_server_failed_the_least_loaded_one_is_used()
    {
        var a = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 3);
        var b = new ServerCapacity(Server("b", maxJobs: 4), SlotsInUse: 1);
        var arm = new ServerCapacity(Server("c", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), 0);
        Assert.Equal("b", ChooseAvoiding(["a", "b"], a, b, arm)!.Server.Id);
    }

    [Fact]
    public void The_fallback_still_needs_a_free_healthy_slot()
    {
        var full = new ServerCapacity(Server("a", maxJobs: 1), SlotsInUse: 1);
        Assert.Null(ChooseAvoiding(["a"], full));
        Assert.Null(ChooseAvoiding(["a"], full with { SlotsInUse = 0, Healthy = false }));
        Assert.Null(ChooseAvoiding(["a"], full with { SlotsInUse = 0, Draining = true }));
    }

    [Fact]
    public void Avoiding_unknown_servers_changes_nothing()
    {
        var a = new ServerCapacity(Server("a", maxJobs: 4), SlotsInUse: 2);
        var b = new ServerCapacity(Server("b", maxJobs: 4), SlotsInUse: 1);
        Assert.Equal("b", ChooseAvoiding(["zzz", "B"], a, b)!.Server.Id); // ids compare exactly
        Assert.Null(ChooseAvoiding(["zzz"]));
    }

    [Fact]
    public void Avoidance_respects_the_job_requirements()
    {
        // The other server has the architecture but not the named toolchain: it does not count.
        var failed = new ServerCapacity(Server("a", toolchains: [Clang17]), 0);
        var gccOnly = new ServerCapacity(Server("b", toolchains: [Gcc12X86]), 0);
        var p = PlacementStrategy.Choose([failed, gccOnly], "job-1", Job(toolchain: "clang-17"), ["a"]);
        Assert.Equal("a", p!.Server.Id);
        Assert.Equal("clang-17", p.Toolchain.Name);
    }

    [Fact]
    public void A_draining_server_does_not_block_the_fallback()
    {
        var failed = new ServerCapacity(Server("a"), SlotsInUse: 0);
        var draining = new ServerCapacity(Server("b"), SlotsInUse: 0, Draining: true);
        Assert.Equal("a", ChooseAvoiding(["a"], failed, draining)?.Server.Id);
    }

    // ---- Infeasibility ----

    [Fact]
    public void Infeasibility_without_servers() =>
        Assert.Equal(("target_architecture", "no build server is registered"), PlacementStrategy.Infeasibility([], Job()));

    [Fact]
    public void Infeasibility_is_null_when_some_server_could_run_the_job_even_if_busy() =>
        Assert.Null(PlacementStrategy.Infeasibility([Server("a", arches: ["arm64"], toolchains: [Gcc13Arm64Native]), Server("b")], Job()));

    [Fact]
    public void Infeasibility_names_the_missing_architecture()
    {
        var problem = PlacementStrategy.Infeasibility([Server("a"), Server("b")], Job("riscv64"));
        Assert.Equal(("target_architecture", "no registered server supports architecture riscv64"), problem);
    }

    [Fact]
    public void Infeasibility_names_the_missing_toolchain()
    {
        var problem = PlacementStrategy.Infeasibility([Server("a", toolchains: [Gcc12X86])], Job(toolchain: "clang-17"));
        Assert.Equal(("toolchain", "no registered server has toolchain clang-17 for x86_64"), problem);

        // clang-17 exists, but only on a server without the architecture, or not targeting it.
        var problem2 = PlacementStrategy.Infeasibility(
            [Server("a", arches: ["x86_64"], toolchains: [Gcc12X86]), Server("b", arches: ["arm64"], toolchains: [Clang17])],
            Job(toolchain: "clang-17"));
        Assert.Equal(("toolchain", "no registered server has toolchain clang-17 for x86_64"), problem2);
    }

    private const string PathsReason =
        "no registered server allows the requested workspace_root/build_directory (see the servers' workspace_root and allowed_workspace_roots)";

    [Fact]
    public void Infeasibility_names_disallowed_paths()
    {
        var servers = new[] { Server("a"), Server("b", allowedRoots: ["/mnt/fast"]) };
        Assert.Equal(("build_config.workspace_root", PathsReason), PlacementStrategy.Infeasibility(servers, Job(root: "/home/me")));
        Assert.Equal(("build_config.build_directory", PathsReason), PlacementStrategy.Infeasibility(servers, Job(dir: "/mnt/fast")));
        Assert.Null(PlacementStrategy.Infeasibility(servers, Job(dir: "/mnt/fast/x")));
    }

    [Theory]
    // The root is allowed somewhere, only the directory is not: blame the directory.
    [InlineData("/mnt/fast", "/etc/x", "build_config.build_directory")]
    [InlineData(null, "/home/me/x", "build_config.build_directory")]
    // The root itself is allowed nowhere: blame the root, whatever the directory.
    [InlineData("/home/me", "/home/me/x", "build_config.workspace_root")]
    [InlineData("/home/me", "/mnt/fast/x", "build_config.workspace_root")]
    [InlineData("/home/me", null, "build_config.workspace_root")]
    public void Infeasibility_blames_the_path_field_that_no_server_allows(string? root, string? dir, string field)
    {
        var servers = new[] { Server("a"), Server("b", allowedRoots: ["/mnt/fast"]) };
        var problem = PlacementStrategy.Infeasibility(servers, Job(root: root, dir: dir));
        Assert.NotNull(problem);
        Assert.Equal(field, problem.Value.Field);
        Assert.Contains("workspace_root/build_directory", problem.Value.Reason);
    }

    [Fact]
    public void Infeasibility_when_the_architecture_has_no_toolchain()
    {
        var problem = PlacementStrategy.Infeasibility([Server("a", arches: ["x86_64", "arm64"], toolchains: [Gcc12X86])], Job("arm64"));
        Assert.Equal(("target_architecture", "no registered server has a toolchain for arm64"), problem);
    }

    [Fact]
    public void Infeasibility_fields_are_request_field_names()
    {
        // Every field Infeasibility can blame, as the HTTP API names it.
        var servers = new[] { Server("a"), Server("b", allowedRoots: ["/mnt/fast"]) };
        var fields = new[]
        {
            PlacementStrategy.Infeasibility([], Job()),
            PlacementStrategy.Infeasibility(servers, Job("riscv64")),
            PlacementStrategy.Infeasibility(servers, Job(toolchain: "gcc-99")),
            PlacementStrategy.Infeasibility(servers, Job(root: "/home/me")),
            PlacementStrategy.Infeasibility(servers, Job(dir: "/home/me/x")),
        }.Select(p => p!.Value.Field).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["build_config.build_directory", "build_config.workspace_root", "target_architecture", "toolchain"], fields);
    }

    [Fact]
    public void JobRequirements_are_taken_from_the_request()
    {
        var r = new BuildJobRequest
        {
            TargetArchitecture = "arm64",
            Toolchain = "clang-17",
            BuildConfig = new BuildConfig { WorkspaceRoot = "/mnt/fast", BuildDirectory = "/mnt/fast/x" },
        };
        Assert.Equal(new JobRequirements("arm64", "clang-17", "/mnt/fast", "/mnt/fast/x"), JobRequirements.Of(r));
    }

    // ---- PoolState ----

    private static Placement On(BuildServer s, string job) => new(job, s, s.Toolchains[0]);

    [Fact]
    public void Pool_registers_replaces_and_removes_servers()
    {
        var at = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var a = Server("a");
        var state = PoolState.Empty.Apply(new ServerRegistered(a, at)).Apply(new ServerRegistered(Server("b"), at));
        Assert.Equal(["a", "b"], state.Servers.Keys.Order());

        var a2 = a with { MaxConcurrentJobs = 9 };
        state = state.Apply(new ServerRegistered(a2, at.AddHours(1)));
        Assert.Equal(9, state.Servers["a"].Server.MaxConcurrentJobs);
        Assert.Equal(at.AddHours(1), state.Servers["a"].RegisteredAt);

        state = state.Apply(new ServerRemoved("a", at)).Apply(new ServerRemoved("zzz", at));
        Assert.Equal(["b"], state.Servers.Keys);
        Assert.Empty(PoolState.Empty.Servers);
    }

    [Fact]
    public void Reservation_is_idempotent_per_job()
    {
        var a = Server("a", maxJobs: 4);
        var reserve = new SlotsReserved([On(a, "j1"), On(a, "j2")]);
        var once = PoolState.Empty.Apply(reserve);
        var twice = once.Apply(reserve).Apply(new SlotsReserved([On(a, "j1")]));

        Assert.Equal(2, once.SlotsInUse("a"));
        Assert.Equal(2, twice.SlotsInUse("a"));
        Assert.Equal(["j1", "j2"], twice.JobsOn("a"));
        Assert.Equal(0, PoolState.Empty.SlotsInUse("a"));
    }

    [Fact]
    public void Re_reserving_a_job_elsewhere_moves_it()
    {
        var a = Server("a");
        var b = Server("b");
        var state = PoolState.Empty.Apply(new SlotsReserved([On(a, "j1")])).Apply(new SlotsReserved([On(b, "j1")]));
        Assert.Equal(0, state.SlotsInUse("a"));
        Assert.Equal(1, state.SlotsInUse("b"));
        Assert.Equal("b", state.Reservations["j1"].Server.Id);
    }

    [Fact]
    public void Release_frees_the_slot_and_is_idempotent()
    {
        var a = Server("a", maxJobs: 4);
        var b = Server("b");
        var state = PoolState.Empty.Apply(new SlotsReserved([On(a, "j3"), On(a, "j1"), On(b, "j2"), On(a, "j10")]));
        Assert.Equal(["j1", "j10", "j3"], state.JobsOn("a"));
        Assert.Equal(["j2"], state.JobsOn("b"));

        var released = state.Apply(new SlotReleased("j1")).Apply(new SlotReleased("j1")).Apply(new SlotReleased("nope"));

        Assert.Equal(2, released.SlotsInUse("a"));
        Assert.Equal(["j10", "j3"], released.JobsOn("a"));
        Assert.Equal(1, released.SlotsInUse("b"));
        Assert.Equal(3, state.SlotsInUse("a")); // the earlier value is untouched
        Assert.Empty(released.JobsOn("c"));
    }

    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Drain_marks_and_unmarks_a_server()
    {
        var registered = PoolState.Empty.Apply(new ServerRegistered(Server("a"), At)).Apply(new ServerRegistered(Server("b"), At));
        Assert.Empty(registered.Draining);

        var draining = registered.Apply(new DrainChanged("a", true, At)).Apply(new DrainChanged("a", true, At.AddSeconds(1)));
        Assert.Equal(["a"], draining.Draining);
        Assert.Empty(registered.Draining); // the earlier value is untouched
        Assert.Equal(["a", "b"], draining.Servers.Keys.Order()); // draining servers stay registered

        var undrained = draining.Apply(new DrainChanged("a", false, At)).Apply(new DrainChanged("b", false, At));
        Assert.Empty(undrained.Draining);
        Assert.Equal(["a"], draining.Draining);
    }

    [Fact]
    public void Draining_keeps_the_reservations_of_running_jobs()
    {
        var a = Server("a", maxJobs: 4);
        var state = PoolState.Empty.Apply(new ServerRegistered(a, At)).Apply(new SlotsReserved([On(a, "j1")]))
            .Apply(new DrainChanged("a", true, At));
        Assert.Equal(["j1"], state.JobsOn("a"));
        Assert.Equal(1, state.SlotsInUse("a"));

        state = state.Apply(new SlotReleased("j1"));
        Assert.Equal(0, state.SlotsInUse("a"));
        Assert.Contains("a", state.Draining);
    }

    [Fact]
    public void Removing_a_server_clears_its_drain_flag()
    {
        var state = PoolState.Empty.Apply(new ServerRegistered(Server("a"), At)).Apply(new ServerRegistered(Server("b"), At))
            .Apply(new DrainChanged("a", true, At)).Apply(new DrainChanged("b", true, At));

        var removed = state.Apply(new ServerRemoved("a", At));
        Assert.Equal(["b"], removed.Draining);
        Assert.Equal(["a", "b"], state.Draining.Order()); // the earlier value is untouched

        // Registered again under the same id, it takes jobs.
        var back = removed.Apply(new ServerRegistered(Server("a"), At.AddHours(1)));
        Assert.DoesNotContain("a", back.Draining);
        Assert.Equal(["b"], removed.Apply(new ServerRemoved("zzz", At)).Draining);
    }

    [Fact]
    public void Unknown_events_leave_the_state_alone()
    {
        var state = PoolState.Empty.Apply(new SlotsReserved([On(Server("a"), "j1")]));
        Assert.Same(state, state.Apply(new EventOfALaterRelease()));
    }

    private sealed record EventOfALaterRelease : IPoolEvent;
}
