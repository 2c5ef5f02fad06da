using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>The main path over real sshd build servers, real git and the fake kbuild tree.</summary>
public sealed class BuildJobTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    [Fact]
    public async Task A_job_completes_and_its_artifacts_land_in_storage_as_the_manifest_says()
    {
        var (status, accepted) = await Farm.PostJobAsync(Env.Job());
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("queued", FarmProcess.Status(accepted));
        Assert.Equal(Env.RepoUrl, accepted["source_repository"]!.GetValue<string>());

        var job = await Farm.WaitForEndAsync(accepted["id"]!.GetValue<string>(), Timeout);

        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Equal("x86", job["server_id"]!.GetValue<string>());
        var paths = Artifacts.Paths(job);
        Assert.Contains("bzImage", paths);
        Assert.Contains("vmlinux", paths);
        Assert.Contains("System.map", paths);
        Assert.Contains("build.log", paths);
        Artifacts.AssertStorageMatchesRecord(job);
        Assert.Equal(Path.Combine(Farm.StoragePath, job["id"]!.GetValue<string>()), job["artifact_directory"]!.GetValue<string>());
        var steps = job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "transferring", "completed"], steps);
        Assert.True(await Eventually.GoneAsync(Path.Combine(Env.X86.WorkDirectory, "job-" + job["id"])), "workspace not removed");

        var download = await Farm.Http.GetByteArrayAsync($"api/v1/infrastructure/build-jobs/{job["id"]}/artifacts/bzImage");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "bzImage")), download);
        var log = await Farm.GetLogAsync(job["id"]!.GetValue<string>());
        Assert.Contains("==> kfarm: step building", log);
        var bytes = System.Text.Encoding.UTF8.GetBytes(log);
        var rest = await Farm.Http.GetByteArrayAsync($"api/v1/infrastructure/build-jobs/{job["id"]}/log?offset=100");
        Assert.Equal(bytes[100..], rest);
        Assert.Empty(await Farm.Http.GetByteArrayAsync($"api/v1/infrastructure/build-jobs/{job["id"]}/log?offset={bytes.Length}"));
    }

    [Fact]
    public async Task Modules_are_installed_into_the_modules_folder()
    {
        var id = await Farm.SubmitAsync(Env.Job(config: "x86_64_defconfig"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Contains("modules/lib/modules/6.1.0-fake/kernel/drivers/fake/fake.ko", Artifacts.Paths(job));
        Artifacts.AssertStorageMatchesRecord(job);
    }

    [Fact]
    public async Task An_arm64_job_runs_on_the_arm64_server_with_its_cross_compiler_and_brings_dtbs()
    {
        var id = await Farm.SubmitAsync(Env.Job(arch: "arm64", config: "defconfig"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Equal("arm", job["server_id"]!.GetValue<string>());
        Assert.Equal("gcc-12", job["toolchain"]!.GetValue<string>());
        var paths = Artifacts.Paths(job);
        Assert.Contains("Image", paths);
        Assert.Contains("dtbs/arm/fake-vexpress.dtb", paths);
        var image = await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "Image"));
        Assert.Contains("CROSS_COMPILE=aarch64-linux-gnu-", image);
    }

    [Fact]
    public async Task An_unknown_config_target_fails_as_a_build_failure_in_configuring_and_keeps_the_log()
    {
        var id = await Farm.SubmitAsync(Env.Job(config: "nosuchconfig"));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("failed", FarmProcess.Status(job));
        Assert.Equal("build", job["failure"]!["kind"]!.GetValue<string>());
        Assert.Equal("configuring", job["failure"]!["step"]!.GetValue<string>());
        Assert.Equal(2, job["failure"]!["exit_code"]!.GetValue<int>());
        Assert.Contains("No rule to make target 'nosuchconfig'", await Farm.GetLogAsync(id));
        Assert.True(File.Exists(Path.Combine(Farm.StoragePath, id, "build.log")));
    }

    [Fact]
    public async Task A_compile_error_fails_in_building_with_its_exit_code()
    {
        var id = await Farm.SubmitAsync(Env.Job(fragments: ["CONFIG_FAKE_BROKEN=y"]));
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("failed", FarmProcess.Status(job));
        Assert.Equal("build", job["failure"]!["kind"]!.GetValue<string>());
        Assert.Equal("building", job["failure"]!["step"]!.GetValue<string>());
        Assert.Equal(2, job["failure"]!["exit_code"]!.GetValue<int>());
        Assert.Contains("error: fake compile error", await Farm.GetLogAsync(id));
    }

    [Fact]
    public async Task Cancelling_a_running_build_kills_its_process_group_and_removes_the_workspace()
    {
        var id = await Farm.SubmitAsync(Env.Job(buildSeconds: 120));
        await Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", Timeout);
        var workspace = Path.Combine(Env.X86.WorkDirectory, "job-" + id);
        var pgid = int.Parse(File.ReadAllText(Path.Combine(workspace, "pid")).Trim());
        Assert.Contains(pgid.ToString(), Env.X86.RunAsBuildUser($"pgrep -g {pgid} || true"));

        using var cancel = await Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var job = await Farm.WaitForEndAsync(id, Timeout);

        Assert.Equal("cancelled", FarmProcess.Status(job));
        Assert.Equal("", Env.X86.LiveProcessesInGroup(pgid));
        Assert.True(await Eventually.GoneAsync(workspace), "workspace left behind");
        using var again = await Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task With_one_slot_a_second_job_waits_in_the_queue_and_runs_when_the_slot_frees()
    {
        var first = await Farm.SubmitAsync(Env.Job(buildSeconds: 4));
        await Farm.WaitForAsync(first, j => FarmProcess.Status(j) == "building", Timeout);
        var second = await Farm.SubmitAsync(Env.Job());
        Assert.Equal("queued", FarmProcess.Status(await Farm.GetJobAsync(second)));

        var firstDone = await Farm.WaitForEndAsync(first, Timeout);
        var secondDone = await Farm.WaitForEndAsync(second, Timeout);

        Assert.Equal("completed", FarmProcess.Status(secondDone));
        var firstEnded = DateTimeOffset.Parse(firstDone["updated_at"]!.GetValue<string>());
        var secondAssigned = DateTimeOffset.Parse(secondDone["transitions"]!.AsArray()
            .First(t => t!["status"]!.GetValue<string>() == "assigned")!["at"]!.GetValue<string>());
        Assert.True(secondAssigned >= firstEnded.AddMilliseconds(-50), $"second assigned {secondAssigned:O} before first ended {firstEnded:O}");
    }

    [Fact]
    public async Task A_job_that_no_registered_server_could_run_is_refused_with_422()
    {
        var (status, body) = await Farm.PostJobAsync(Env.Job(arch: "riscv64"));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("riscv64", body["detail"]!.GetValue<string>());
        var named = Env.Job();
        named["toolchain"] = "clang-14";
        (status, body) = await Farm.PostJobAsync(named);
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal("toolchain", body["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_jobs_and_servers_are_404_and_a_busy_server_cannot_be_removed()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.GetAsync($"api/v1/infrastructure/build-jobs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.GetAsync("api/v1/infrastructure/build-jobs/not-a-job")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.GetAsync("api/v1/infrastructure/build-servers/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/nope")).StatusCode);

        var id = await Farm.SubmitAsync(Env.Job(arch: "arm64", buildSeconds: 60));
        await Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", Timeout);
        using var busy = await Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/arm");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType!.MediaType);
        Assert.Contains(id, await busy.Content.ReadAsStringAsync());
        await Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{id}/cancel", null);
        await Farm.WaitForEndAsync(id, Timeout);
    }

    [Fact]
    public async Task The_seed_curl_example_works_with_only_the_repository_and_paths_changed()
    {
        var output = Path.Combine(Farm.StoragePath, "seed-example");
        var body = JsonNode.Parse($$"""
        {
          "source_repository": "{{Env.RepoUrl}}",
          "branch": "master",
          "commit_hash": "HEAD",
          "target_architecture": "x86_64",
          "build_config": {
            "kernel_config": "defconfig",
            "workspace_root": "{{Env.X86.WorkDirectory}}/fast-storage",
            "output_directory": "{{output}}",
            "keep_workspace": false,
            "extra_make_args": ["-j16"],
            "artifact_patterns": [
              "arch/x86/boot/bzImage",
              "vmlinux",
              "System.map"
            ]
          }
        }
        """)!.AsObject();
        var id = await Farm.SubmitAsync(body);
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Equal(Path.Combine(output, id), job["artifact_directory"]!.GetValue<string>());
        Assert.Equal(["System.map", "build.log", "bzImage", "config", "reproducer.sh", "vmlinux"], Artifacts.Paths(job).Order(StringComparer.Ordinal));
        Artifacts.AssertStorageMatchesRecord(job);
        Assert.Contains("-j16", await Farm.GetLogAsync(id));
    }

    [Fact]
    public async Task Jobs_are_listed_and_filtered_by_status()
    {
        var id = await Farm.SubmitAsync(Env.Job());
        await Farm.WaitForEndAsync(id, Timeout);
        // the list is a read side fed by the journal: it may trail a job by its refresh interval
        var list = await Eventually.ValueAsync(
            async () => JsonNode.Parse(await Farm.Http.GetStringAsync("api/v1/infrastructure/build-jobs?status=completed"))!.AsObject(),
            l => l["jobs"]!.AsArray().Any(j => j!["id"]!.GetValue<string>() == id), TimeSpan.FromSeconds(10), $"job {id} in the list");
        Assert.Contains(list["jobs"]!.AsArray(), j => j!["id"]!.GetValue<string>() == id);
        Assert.All(list["jobs"]!.AsArray(), j => Assert.Equal("completed", j!["status"]!.GetValue<string>()));
        using var bad = await Farm.Http.GetAsync("api/v1/infrastructure/build-jobs?status=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_job_builds_the_commit_it_names_even_when_the_branch_has_moved_on()
    {
        var old = Env.Tree.InitialCommit;
        var tip = Env.Tree.CommitFile("kfarm-moved.txt", "newer\n", "move the branch on");
        var atOld = Env.Job();
        atOld["commit_hash"] = old;
        var oldJob = await Farm.WaitForEndAsync(await Farm.SubmitAsync(atOld), Timeout);
        var tipJob = await Farm.WaitForEndAsync(await Farm.SubmitAsync(Env.Job()), Timeout);

        Assert.Equal("completed", FarmProcess.Status(oldJob));
        Assert.Contains($"commit: {old}", await Farm.GetLogAsync(oldJob["id"]!.GetValue<string>()));
        Assert.Contains($"commit: {tip}", await Farm.GetLogAsync(tipJob["id"]!.GetValue<string>()));
    }
}
