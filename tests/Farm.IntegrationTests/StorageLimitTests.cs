using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Actors.Storage;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Central storage is bounded per job and a job writes only its own folder (docs/storage-limits.md),
/// against real hostile builds on real sshd servers: a log without end is cut at the cap and the
/// build stopped; an artifact that is a symlink to /dev/zero is refused at collection, an artifact over the
/// per-job cap and one named like the farm's own files fail the job with kind "limit" and nothing
/// published; an output_directory naming another job's folder is refused (400) and the other job
/// keeps its artifacts; a folder in the way that is not the job's is left untouched.
/// </summary>
[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class StorageLimitTests(StorageLimitFarm fixture, ITestOutputHelper output) : IClassFixture<StorageLimitFarm>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private FaultFarm Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    [Fact]
    public async Task A_build_log_past_the_cap_is_cut_the_build_stopped_and_the_job_failed_as_a_limit_while_another_job_completes()
    {
        var flood = await Farm.SubmitAsync(fixture.Hostile("flood"));
        var benign = await Farm.SubmitAsync(fixture.Job(buildSeconds: 3));

        var job = await Farm.WaitForEndAsync(flood, Timeout);
        output.WriteLine($"{flood}: {job["failure"]?.ToJsonString()}");
        var failure = AssertLimitFailure(job, "building");
        Assert.Contains($"{StorageLimitFarm.MaxLogBytes} bytes (Farm:Limits:MaxLogBytes)", failure);

        // The log (published with the failure, no artifacts) ends at the cap with one line saying so.
        var cutLine = LogCap.CutLine(StorageLimitFarm.MaxLogBytes);
        var dir = job["artifact_directory"]!.GetValue<string>();
        var published = await File.ReadAllBytesAsync(Path.Combine(dir, "build.log"));
        Assert.Equal(StorageLimitFarm.MaxLogBytes + cutLine.Length, published.Length);
        Assert.Equal(cutLine, published[^cutLine.Length..]);
        Assert.Equal(published.Length, new FileInfo(Env.LiveLogPath(flood)).Length);
        // like a timeout: the farm's files only, no artifact (metadata.json says why)
        Assert.Equal([".kernelfarm-job", "build.log", "manifest.json", "metadata.json", "reproducer.sh"],
            Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("\"kind\": \"limit\"", await File.ReadAllTextAsync(Path.Combine(dir, "metadata.json")));
        Assert.Contains("flooding the build log", Encoding.UTF8.GetString(published[..4096]));

        // The build was stopped: its workspace is removed and its slot given back, the log stays cut.
        var server = job["attempts"]!.AsArray()[0]!["server_id"]!.GetValue<string>();
        Assert.True(await Eventually.GoneAsync(Path.Combine(Env[server].WorkDirectory, "job-" + flood)), "workspace left behind");

        // The other job, running meanwhile, was not affected.
        var other = await Farm.WaitForEndAsync(benign, Timeout);
        Assert.True(FarmProcess.Status(other) == "completed", other.ToJsonString());
        Artifacts.AssertStorageMatchesRecord(other);
        foreach (var s in Env.Servers.Keys) await Env.WaitForIdleAsync(s, Timeout);
        Assert.Equal(published.Length, new FileInfo(Env.LiveLogPath(flood)).Length);
    }

    [Fact]
    public async Task An_artifact_that_is_a_symlink_to_dev_zero_is_refused_at_collection_and_never_read()
    {
        var id = await Farm.SubmitAsync(fixture.Hostile("zero", "vmlinux", "zero.bin"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        output.WriteLine($"{id}: {job["failure"]?.ToJsonString()}");
        Assert.True(FarmProcess.Status(job) == "failed", job.ToJsonString());
        Assert.Equal("collecting", job["failure"]!["step"]!.GetValue<string>());
        Assert.Contains("kfarm: refused artifact zero.bin: a symlink that leaves the build tree", await Farm.GetLogAsync(id));
        // what a failed build publishes: the farm's own files, none of the build's (the transfer took no artifact)
        var dir = job["artifact_directory"]!.GetValue<string>();
        Assert.DoesNotContain(job["artifacts"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()), p => p is not ("build.log" or "reproducer.sh"));
        Assert.True(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) < 1 << 20, "more than the log was written");
    }

    [Fact]
    public async Task Artifacts_declared_past_the_per_job_cap_are_refused_before_any_download()
    {
        var id = await Farm.SubmitAsync(fixture.Hostile("big", "vmlinux", "big.bin"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        var failure = AssertLimitFailure(job, "transferring");
        Assert.Contains($"more than the limit of {StorageLimitFarm.MaxArtifactBytes} bytes per job (Farm:Limits:MaxArtifactBytes)", failure);
        AssertNothingPublished(job);
    }

    [Fact]
    public async Task An_artifact_named_like_the_farms_own_build_log_is_refused_and_nothing_is_published()
    {
        var id = await Farm.SubmitAsync(fixture.Hostile("names", "vmlinux", "build.log"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        var failure = AssertLimitFailure(job, "transferring");
        Assert.Contains("artifact 'build.log' is refused", failure);
        AssertNothingPublished(job);
        Assert.DoesNotContain("forged", await Farm.GetLogAsync(id)); // the farm's log, not the build's file
    }

    [Fact]
    public async Task An_output_directory_naming_another_jobs_folder_is_refused_and_that_job_keeps_its_artifacts()
    {
        var victim = await Farm.SubmitAsync(fixture.Job(buildSeconds: 4));
        await Env.WaitForCcLineAsync(victim, 1, Timeout);

        // The measured attack, while the victim builds (its folder does not exist yet) and after.
        await AssertRefusedAsync(Path.Combine(Env.StoragePath, victim));
        await AssertRefusedAsync(Path.Combine(Env.StoragePath, ".staging"));
        var job = await Farm.WaitForEndAsync(victim, Timeout);
        Assert.True(FarmProcess.Status(job) == "completed", job.ToJsonString());
        var before = Snapshot(job["artifact_directory"]!.GetValue<string>());
        await AssertRefusedAsync(Path.Combine(Env.StoragePath, victim));
        await AssertRefusedAsync(Path.Combine(Env.StoragePath, victim, "nested"));

        // The storage path itself stays a valid output_directory.
        var own = await Farm.WaitForEndAsync(await Farm.SubmitAsync(fixture.Job(outputDirectory: Env.StoragePath)), Timeout);
        Assert.True(FarmProcess.Status(own) == "completed", own.ToJsonString());

        Artifacts.AssertStorageMatchesRecord(job);
        Assert.Equal(before, Snapshot(job["artifact_directory"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_folder_in_the_way_that_is_not_the_jobs_is_left_untouched_and_the_job_fails_as_a_storage_fault()
    {
        var id = await Farm.SubmitAsync(fixture.Job(buildSeconds: 3));
        await Env.WaitForCcLineAsync(id, 1, Timeout);
        var squatter = Path.Combine(Env.StoragePath, id);
        Directory.CreateDirectory(squatter);
        await File.WriteAllTextAsync(Path.Combine(squatter, "someone-elses.txt"), "keep me\n");

        var job = await Farm.WaitForEndAsync(id, Timeout);
        output.WriteLine($"{id}: {job["failure"]?.ToJsonString()}");
        Assert.Equal("failed", FarmProcess.Status(job));
        var failure = job["failure"]!.AsObject();
        Assert.Equal("infrastructure", failure["kind"]!.GetValue<string>());
        Assert.Contains($"is not job {id}'s folder", failure["message"]!.GetValue<string>());
        Assert.Single(job["attempts"]!.AsArray());
        Assert.Null(job["artifact_directory"]);
        Assert.Equal(["someone-elses.txt"], Directory.GetFileSystemEntries(squatter).Select(Path.GetFileName));
        Assert.Equal("keep me\n", await File.ReadAllTextAsync(Path.Combine(squatter, "someone-elses.txt")));
        Assert.False(Directory.Exists(Path.Combine(Env.StoragePath, ".staging", id)), "staging left behind");
    }

    // ---- helpers ---------------------------------------------------------------------------

    /// <summary>Failed with kind "limit" in <paramref name="step"/> on its only attempt; returns the message.</summary>
    private static string AssertLimitFailure(JsonObject job, string step)
    {
        Assert.True(FarmProcess.Status(job) == "failed", job.ToJsonString());
        var failure = job["failure"]!.AsObject();
        Assert.Equal("limit", failure["kind"]!.GetValue<string>());
        Assert.Equal(step, failure["step"]!.GetValue<string>());
        Assert.True(job["attempts"]!.AsArray().Count == 1, $"a limit was retried: {job["attempts"]!.ToJsonString()}");
        return failure["message"]!.GetValue<string>();
    }

    private void AssertNothingPublished(JsonObject job)
    {
        var id = job["id"]!.GetValue<string>();
        Assert.Null(job["artifact_directory"]);
        Assert.Empty(job["artifacts"]!.AsArray());
        Assert.False(Directory.Exists(Path.Combine(Env.StoragePath, id)), "the job folder exists");
        Assert.False(Directory.Exists(Path.Combine(Env.StoragePath, ".staging", id)), "staging left behind");
    }

    private async Task AssertRefusedAsync(string outputDirectory)
    {
        var (status, body) = await Farm.PostJobAsync(fixture.Job(outputDirectory: outputDirectory));
        Assert.True(status == HttpStatusCode.BadRequest, $"{outputDirectory}: {(int)status} {body}");
        var fields = Hostile.Fields(body);
        Assert.True(fields.Contains("build_config.output_directory"), $"{outputDirectory}: {body}");
    }

    /// <summary>Every file of a folder with its sha256.</summary>
    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(dir, f)} {Artifacts.Sha256(f)}").Order(StringComparer.Ordinal).ToList();
}
