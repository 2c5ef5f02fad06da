using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The central artifact storage fails (unwritable, full): the job fails as an infrastructure fault
/// of the storage in "transferring" — not retried on another server, since no server would help —
/// leaves no half-published folder, and the farm works again once the storage does.
/// </summary>
[Trait("Tier", "Full")] // fault injection
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Two x86_64 servers, so a wrongly retried storage fault would show as a second attempt.</summary>
    private static Task<FaultFarm> StartAsync(string ipA, string ipB, IReadOnlyDictionary<string, string>? env = null)
    {
        var all = new Dictionary<string, string> { ["Farm__MaxAttempts"] = "2" };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) all[k] = v;
        return FaultFarm.StartAsync([new("x86-a", ipA, ["x86_64"], 2), new("x86-b", ipB, ["x86_64"], 2)], all);
    }

    [Fact]
    public async Task With_the_storage_unwritable_jobs_fail_in_transferring_as_a_storage_fault_and_the_farm_recovers()
    {
        await using var env = await StartAsync("127.0.0.51", "127.0.0.52");
        var storage = env.StoragePath;
        var warmUp = await env.Farm.WaitForEndAsync(await env.Farm.SubmitAsync(env.Job()), Timeout);
        Assert.Equal("completed", FarmProcess.Status(warmUp)); // .logs and .staging exist now

        var failed = new List<JsonObject>();
        // Round 1: .staging is there (and writable): the download succeeds, publishing (the rename
        // into the immutable root) fails. Round 2: no .staging: not even staging can be created.
        foreach (var stagingExists in new[] { true, false })
        {
            if (!stagingExists) Directory.Delete(Path.Combine(storage, ".staging"), recursive: true);
            await using (await StorageFaults.ImmutableAsync(storage))
            {
                var ids = new[] { await env.Farm.SubmitAsync(env.Job()), await env.Farm.SubmitAsync(env.Job(buildSeconds: 2)) };
                foreach (var id in ids) failed.Add(await env.Farm.WaitForEndAsync(id, Timeout));
            }
        }

        foreach (var job in failed)
        {
            var id = job["id"]!.GetValue<string>();
            output.WriteLine($"{id}: {job["failure"]?.ToJsonString()}");
            AssertStorageFailure(job, storage);
            Assert.Contains("==> kfarm: step done", await env.Farm.GetLogAsync(id)); // the build itself was fine
            var server = job["attempts"]!.AsArray()[0]!["server_id"]!.GetValue<string>();
            Assert.True(await Eventually.GoneAsync(Path.Combine(env[server].WorkDirectory, "job-" + id)), "workspace left behind");
        }
        await AssertRecoversAsync(env, env.Job());
    }

    [Fact]
    public async Task With_the_output_storage_full_a_job_fails_as_a_storage_fault_and_the_farm_recovers()
    {
        // A job's artifacts go to build_config.output_directory; that filesystem is a tmpfs filled up.
        await using var full = TempDirectory.Create("full-storage");
        var mount = Path.Combine(full.Path, "fs");
        await using var tmpfs = await StorageFaults.TmpfsAsync(mount, 256);
        var filler = StorageFaults.Fill(mount);
        try
        {
            await using var env = await StartAsync("127.0.0.53", "127.0.0.54",
                new Dictionary<string, string> { ["Farm__AllowedOutputRoots__0"] = mount });

            var jobs = new List<JsonObject>();
            for (var i = 0; i < 2; i++)
                jobs.Add(await env.Farm.WaitForEndAsync(await env.Farm.SubmitAsync(env.Job(outputDirectory: mount)), Timeout));
            foreach (var job in jobs)
            {
                var id = job["id"]!.GetValue<string>();
                output.WriteLine($"{id}: {job["failure"]?.ToJsonString()} attempts {job["attempts"]!.AsArray().Count}");
                AssertStorageFailure(job, mount);
            }

            File.Delete(filler);
            await AssertRecoversAsync(env, env.Job(outputDirectory: mount));
        }
        finally
        {
            await tmpfs.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_storage_unwritable_from_the_start_fails_the_job_instead_of_hanging()
    {
        // A fresh farm whose storage never was writable: not even the live log folder can be made.
        await using var env = await StartAsync("127.0.0.55", "127.0.0.56");
        var storage = env.StoragePath;
        Assert.False(Directory.Exists(Path.Combine(storage, ".logs")));
        JsonObject job;
        await using (await StorageFaults.ImmutableAsync(storage))
        {
            var id = await env.Farm.SubmitAsync(env.Job(buildSeconds: 2));
            try
            {
                job = await env.Farm.WaitForEndAsync(id, TimeSpan.FromSeconds(45));
            }
            catch (TimeoutException e)
            {
                var last = await env.Farm.GetJobAsync(id);
                throw new Xunit.Sdk.XunitException(
                    $"a 2-second build on an unwritable storage has not ended 45 s later: still {FarmProcess.Status(last)}\n{e.Message}");
            }
        }
        // Where it fails is the farm's choice (it cannot even keep the live log); that it fails,
        // as a storage fault and only once, is not.
        var failure = job["failure"]!.AsObject();
        Assert.Equal("failed", FarmProcess.Status(job));
        Assert.Equal("infrastructure", failure["kind"]!.GetValue<string>());
        Assert.StartsWith("storage:", failure["message"]!.GetValue<string>());
        Assert.Single(job["attempts"]!.AsArray());
        Assert.False(Directory.Exists(Path.Combine(storage, job["id"]!.GetValue<string>())));
        await AssertRecoversAsync(env, env.Job());
    }

    /// <summary>
    /// Failed as a storage fault in "transferring", on its only attempt, with nothing published
    /// or staged under <paramref name="root"/>. Reports every deviation at once.
    /// </summary>
    private static void AssertStorageFailure(JsonObject job, string root)
    {
        var id = job["id"]!.GetValue<string>();
        var problems = new List<string>();
        if (FarmProcess.Status(job) != "failed") problems.Add($"status is {FarmProcess.Status(job)}");
        var failure = job["failure"] as JsonObject;
        if (failure?["kind"]?.GetValue<string>() != "infrastructure") problems.Add($"failure kind is {failure?["kind"]}");
        if (failure?["step"]?.GetValue<string>() != "transferring") problems.Add($"failure step is {failure?["step"]}");
        if (failure?["message"]?.GetValue<string>() is not { } message || !message.StartsWith("storage:", StringComparison.Ordinal))
            problems.Add($"failure message does not start with \"storage:\": {failure?["message"]}");
        if (job["artifact_directory"] is not null) problems.Add($"artifact_directory is {job["artifact_directory"]}");
        if (job["artifacts"]!.AsArray().Count > 0) problems.Add("artifacts are listed");
        // central storage is not a server's fault: a retry elsewhere would not help
        var attempts = job["attempts"]!.AsArray().Count;
        if (attempts != 1) problems.Add($"{attempts} attempts (a storage fault was retried on another server)");
        if (Directory.Exists(Path.Combine(root, id))) problems.Add("the job folder exists");
        if (Directory.Exists(Path.Combine(root, ".staging", id))) problems.Add($"staging folder {Path.Combine(root, ".staging", id)} left behind");
        Assert.True(problems.Count == 0, $"job {id}: {string.Join("; ", problems)}\nfailure: {failure?.ToJsonString()}");
    }

    private static async Task<string> LogOrErrorAsync(FaultFarm env, string id)
    {
        try { return await env.Farm.GetLogAsync(id); }
        catch (HttpRequestException e) { return $"(no log: {e.Message})"; }
    }

    /// <summary>Storage writable again: the next job completes, and every slot was given back.</summary>
    private static async Task AssertRecoversAsync(FaultFarm env, JsonObject request)
    {
        var id = await env.Farm.SubmitAsync(request);
        var job = await env.Farm.WaitForEndAsync(id, Timeout);
        if (FarmProcess.Status(job) != "completed")
            Assert.Fail($"the job after the storage came back is {FarmProcess.Status(job)}: {job["failure"]?.ToJsonString()}\n" +
                        $"attempts: {job["attempts"]?.ToJsonString()}\nlog:\n{await LogOrErrorAsync(env, id)}");
        Artifacts.AssertStorageMatchesRecord(job);
        foreach (var s in env.Servers.Keys) await env.WaitForIdleAsync(s, Timeout);
    }
}
