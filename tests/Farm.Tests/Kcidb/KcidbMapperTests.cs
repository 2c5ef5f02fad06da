using System.Text.Json;
using KernelFarm.Actors.Kcidb;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Messages.Jobs;
using Xunit;

namespace KernelFarm.Tests.Kcidb;

/// <summary>Farm jobs as a KCIDB v5.3 document: ids, checkouts, builds, the boot test, URLs; each document checked with kcidb-io.</summary>
public sealed class KcidbMapperTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private const string Base = "https://farm.example.org";

    private static JobRecord Job(string id, JobStatus status = JobStatus.Completed, JobFailure? failure = null, string repo = "https://git.example.org/linux.git",
        string branch = "master", string arch = "x86_64", BootResult? boot = null, IReadOnlyList<ArtifactEntry>? artifacts = null, int minute = 0)
    {
        var created = T0.AddMinutes(minute);
        var transitions = new List<StatusTransition> { new(JobStatus.Queued, created) };
        if (status != JobStatus.Queued) transitions.Add(new(JobStatus.Assigned, created.AddSeconds(2)));
        if (boot is not null) transitions.Add(new(JobStatus.Booting, created.AddSeconds(50)));
        if (status.IsTerminal()) transitions.Add(new(status, created.AddSeconds(62)));
        return new JobRecord
        {
            Id = id, Status = status, Failure = failure, Boot = boot, CreatedAt = created, UpdatedAt = created.AddSeconds(62),
            Transitions = transitions, Toolchain = "gcc-12",
            Artifacts = artifacts ?? [],
            Request = new BuildJobRequest
            {
                SourceRepository = repo, Branch = branch, CommitHash = "HEAD", TargetArchitecture = arch,
                BuildConfig = new BuildConfig { KernelConfig = "tinyconfig" },
            },
        };
    }

    private static KcidbJob Resolved(JobRecord job, string commit = Commit) => new(job, commit, "v6.1-12-g0123456", "gcc (Debian 12.2.0-14) 12.2.0");

    private static async Task<KcidbDocument> MapAndValidate(params KcidbJob[] jobs)
    {
        var doc = KcidbMapper.Map(jobs, "kernelfarm", Base);
        await KcidbSchema.AssertValidAsync(JsonSerializer.Serialize(doc));
        return doc;
    }

    public static TheoryData<JobStatus, FailureKind?, string?> Statuses => new()
    {
        { JobStatus.Completed, null, "PASS" },
        { JobStatus.Failed, FailureKind.Build, "FAIL" },
        { JobStatus.Failed, FailureKind.Infrastructure, "ERROR" },
        { JobStatus.Failed, FailureKind.Timeout, "MISS" },
        { JobStatus.Failed, FailureKind.Limit, "ERROR" },
        { JobStatus.Failed, null, "ERROR" },
        { JobStatus.Cancelled, null, "SKIP" },
        { JobStatus.Queued, null, null },
        { JobStatus.Building, null, null },
        { JobStatus.Booting, null, null },
    };

    [Theory, MemberData(nameof(Statuses))]
    public async Task A_jobs_state_maps_to_the_build_status_KernelCI_would_give(JobStatus status, FailureKind? kind, string? expected)
    {
        var failure = kind is { } k ? new JobFailure(k, "build", 2, "make failed") : null;
        var doc = await MapAndValidate(new KcidbJob(Job("j1", status, failure)));
        var build = Assert.Single(doc.Builds);
        Assert.Equal(expected, build.Status);
        Assert.Equal(status.IsTerminal() ? 60 : null, build.Duration);
    }

    [Fact]
    public void Every_failure_kind_has_a_status()
    {
        foreach (var kind in Enum.GetValues<FailureKind>())
            Assert.NotNull(KcidbStatus.OfBuild(JobStatus.Failed, new JobFailure(kind, "s", null, "m")));
    }

    [Fact]
    public async Task Ids_carry_the_origin_and_a_build_is_its_job()
    {
        var doc = await MapAndValidate(Resolved(Job("0193-a")));
        var checkout = Assert.Single(doc.Checkouts);
        var build = Assert.Single(doc.Builds);
        Assert.Equal("kernelfarm:0193-a", build.Id);
        Assert.Equal(checkout.Id, build.CheckoutId);
        Assert.Matches("^kernelfarm:[0-9a-f]{64}$", checkout.Id);
        Assert.Equal(("kernelfarm", "kernelfarm"), (checkout.Origin, build.Origin));
        Assert.Equal(new KcidbVersion(5, 3), doc.Version);
    }

    [Fact]
    public async Task A_build_says_what_was_built_with_what()
    {
        var build = Assert.Single((await MapAndValidate(Resolved(Job("j1", arch: "x86_64")))).Builds);
        Assert.Equal("x86_64", build.Architecture); // the ARCH the farm builds with (the catalogue's kernel_arch)
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", build.Compiler);
        Assert.Equal("tinyconfig", build.ConfigName);
        Assert.Equal(T0.AddSeconds(2), build.StartTime);
        Assert.Equal(60, build.Duration);
        Assert.Equal("gcc-12", build.Misc!["toolchain"]);
        Assert.Equal("arm64", Assert.Single((await MapAndValidate(new KcidbJob(Job("j2", arch: "arm64")))).Builds).Architecture);
        Assert.Equal("riscv", Assert.Single((await MapAndValidate(new KcidbJob(Job("j3", arch: "riscv64")))).Builds).Architecture);
    }

    [Fact]
    public async Task Jobs_of_one_repository_commit_and_branch_share_a_checkout()
    {
        var doc = await MapAndValidate(
            Resolved(Job("a", minute: 1)), Resolved(Job("b", arch: "arm64", minute: 0)),
            Resolved(Job("c", branch: "stable", minute: 2)),
            Resolved(Job("d", minute: 3), "fedcba9876543210fedcba9876543210fedcba98"),
            Resolved(Job("e", repo: "https://git.example.org/other.git", minute: 4)));
        Assert.Equal(4, doc.Checkouts.Count);
        var shared = doc.Builds.Where(b => b.Id is "kernelfarm:a" or "kernelfarm:b").Select(b => b.CheckoutId).Distinct();
        var checkout = doc.Checkouts.Single(c => c.Id == Assert.Single(shared));
        Assert.Equal(T0, checkout.StartTime); // its first job's submission
        Assert.Equal((Commit, "master", "https://git.example.org/linux.git", true), (checkout.GitCommitHash, checkout.GitRepositoryBranch, checkout.GitRepositoryUrl, checkout.Valid));
        Assert.Equal("v6.1-12-g0123456", checkout.GitCommitName);
        Assert.Equal(KcidbMapper.CheckoutId("kernelfarm", Resolved(Job("x"))), checkout.Id);
    }

    [Fact]
    public async Task A_checkout_not_yet_resolved_has_no_commit_hash_nor_validity()
    {
        var checkout = Assert.Single((await MapAndValidate(new KcidbJob(Job("q", JobStatus.Queued)))).Checkouts);
        Assert.Null(checkout.GitCommitHash);
        Assert.Null(checkout.Valid);
    }

    [Fact]
    public async Task A_repository_url_the_schema_refuses_is_kept_in_misc()
    {
        var checkout = Assert.Single((await MapAndValidate(Resolved(Job("g", repo: "git://127.0.0.1:9418/fake-linux.git")))).Checkouts);
        Assert.Null(checkout.GitRepositoryUrl); // the schema takes https:// only
        Assert.Equal("git://127.0.0.1:9418/fake-linux.git", checkout.Misc!["source_repository"]);
    }

    [Fact]
    public async Task The_boot_test_is_a_test_of_the_build()
    {
        var doc = await MapAndValidate(
            Resolved(Job("p", boot: new BootResult(BootStatus.Pass, 7.25, null))),
            Resolved(Job("f", boot: new BootResult(BootStatus.Fail, 30, "no marker within 30 s"))),
            Resolved(Job("n")));
        Assert.Equal(2, doc.Tests.Count);
        var pass = doc.Tests.Single(t => t.BuildId == "kernelfarm:p");
        Assert.Equal(("kernelfarm:p:boot", "boot", "PASS", 7.25, T0.AddSeconds(50)), (pass.Id, pass.Path, pass.Status, pass.Duration, pass.StartTime));
        var fail = doc.Tests.Single(t => t.BuildId == "kernelfarm:f");
        Assert.Equal(("FAIL", "no marker within 30 s"), (fail.Status, fail.Comment));
        Assert.Equal("PASS", doc.Builds.Single(b => b.Id == "kernelfarm:f").Status); // a failed boot does not fail the build
    }

    [Fact]
    public async Task Artifacts_and_the_log_are_urls_of_the_farms_api()
    {
        var artifacts = new List<ArtifactEntry>
        {
            new("arch/x86/boot/bzImage", 10, new string('a', 64)), new("config", 5, new string('b', 64)),
            new("a/System.map", 1, new string('c', 64)), new("b/System.map", 1, new string('d', 64)), new("odd name+.txt", 1, new string('e', 64)),
        };
        var doc = KcidbMapper.Map([Resolved(Job("j 1", artifacts: artifacts))], "lab_1", Base + "/");
        await KcidbSchema.AssertValidAsync(JsonSerializer.Serialize(doc));
        var build = Assert.Single(doc.Builds);
        Assert.Equal("lab_1:j 1", build.Id);
        Assert.Equal($"{Base}/api/v1/infrastructure/build-jobs/j%201/log", build.LogUrl);
        Assert.Equal($"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/config", build.ConfigUrl);
        Assert.Equal(
            [
                new("bzImage", $"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/arch/x86/boot/bzImage"),
                new("config", $"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/config"),
                new("a_System.map", $"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/a/System.map"), // two files of one name: the path names them
                new("b_System.map", $"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/b/System.map"),
                new KcidbResource("odd name+.txt", $"{Base}/api/v1/infrastructure/build-jobs/j%201/artifacts/odd%20name%2B.txt"),
            ],
            build.OutputFiles!);
    }

    [Fact]
    public async Task A_failure_is_explained_and_no_null_is_written()
    {
        var doc = await MapAndValidate(new KcidbJob(Job("f", JobStatus.Failed, new JobFailure(FailureKind.Build, "build", 2, "make exited 2"))));
        var build = Assert.Single(doc.Builds);
        Assert.Equal("build failure at build: make exited 2", build.Comment);
        Assert.Equal(("failed", "build", "build"), (build.Misc!["farm_status"], build.Misc["failure_kind"], build.Misc["failure_step"]));
        Assert.DoesNotContain("null", JsonSerializer.Serialize(doc), StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_json_gives_the_resolved_commit_describe_and_compiler()
    {
        var job = KcidbJob.From(Job("m"), """{"git": {"commit": "abc", "describe": "v6.1"}, "compiler": {"version_full": "clang version 14.0.6"}}""");
        Assert.Equal(("abc", "v6.1", "clang version 14.0.6"), (job.ResolvedCommit, job.Describe, job.Compiler));
        Assert.Equal((null, null), (KcidbJob.From(Job("m"), "{not json").ResolvedCommit, KcidbJob.From(Job("m"), null).Compiler));
    }

    [Theory]
    [InlineData("kernelfarm", true)]
    [InlineData("lab_2", true)]
    [InlineData("Kernel-Farm", false)]
    [InlineData("", false)]
    [InlineData("a:b", false)]
    public void The_origin_is_checked_against_the_schemas_pattern(string origin, bool valid)
    {
        Assert.Equal(valid, KcidbOrigin.IsValid(origin));
        var settings = new KcidbSettings { Origin = origin };
        if (valid) KcidbOrigin.Validate(settings);
        else Assert.Throws<InvalidOperationException>(() => KcidbOrigin.Validate(settings));
    }

    [Fact]
    public async Task The_validator_refuses_a_broken_document()
    {
        var (code, output) = await KcidbSchema.CheckAsync("""{"version": {"major": 5, "minor": 3}, "builds": [{"id": "kernelfarm:x", "origin": "kernelfarm", "status": "OK"}]}""");
        Assert.Equal(1, code);
        Assert.Contains("not valid", output, StringComparison.Ordinal);
    }
}
