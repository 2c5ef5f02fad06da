using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>Job time limits (killed for real on the server) and draining a server around running jobs.</summary>
[Trait("Tier", "Full")] // fault injection
public sealed class TimeLimitAndDrainTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_build_over_its_time_limit_is_killed_on_the_server_fails_as_timeout_and_its_log_is_published()
    {
        // The test reads each build's pid from its workspace while it runs (to check its process group
        // is gone afterwards): the pid file is there from the launch to the cleanup, whatever the load.
        var limit = TimeSpan.FromSeconds(20);
        await using var env = await FaultFarm.StartAsync([new("x86", "127.0.0.57", ["x86_64"], Slots: 2)],
            new Dictionary<string, string> { ["Farm__DefaultJobTimeout"] = "00:00:20" });
        var server = env["x86"];

        // Three 60-second builds (two at once, the third when a slot frees) and one within its own, longer limit.
        var slow = new List<string>();
        for (var i = 0; i < 3; i++) slow.Add(await env.Farm.SubmitAsync(env.Job(buildSeconds: 60)));
        // Every build's pid is read while it runs, all three watched at once: a build's pid file lives
        // only from its launch to its cleanup (about its 20 s limit), and the second build runs at the
        // same time as the first, so waiting for them one after the other missed it on a loaded machine
        // (load average 23: the second build had run and been cleaned up before its turn came).
        // The third starts only once a slot is free: after a first build's limit, kill, publication
        // and cleanup, which took over 90 s beside real kernel builds (load average 44). On a timeout
        // the message says where each job still unseen was (status, attempts, failure).
        var pgids = new Dictionary<string, int>();
        await Eventually.ValueAsync(async () =>
            {
                var unseen = new List<string>();
                foreach (var id in slow.Where(id => !pgids.ContainsKey(id)))
                {
                    var pid = ReadIfThere(Path.Combine(server.WorkDirectory, "job-" + id, "pid"));
                    if (pid.Length > 0) { pgids[id] = int.Parse(pid); continue; }
                    var job = await env.Farm.GetJobAsync(id);
                    unseen.Add($"{id}: {FarmProcess.Status(job)}, attempts {job["attempts"]?.ToJsonString()}, failure {job["failure"]?.ToJsonString()}, " +
                               $"transitions {job["transitions"]?.ToJsonString()}");
                }
                return string.Join("; ", unseen);
            }, unseen => unseen.Length == 0, Timeout + limit + Timeout, "every build to write its pid", TimeSpan.FromMilliseconds(100));
        var withinOwnLimit = await env.Farm.SubmitAsync(env.Job(buildSeconds: 25, timeoutMinutes: 1)); // past the default limit

        foreach (var id in slow)
        {
            var job = await env.Farm.WaitForEndAsync(id, Timeout);
            Assert.Equal("failed", FarmProcess.Status(job));
            var failure = job["failure"]!.AsObject();
            Assert.Equal("timeout", failure["kind"]!.GetValue<string>());
            Assert.Equal("building", failure["step"]!.GetValue<string>());
            Assert.Single(job["attempts"]!.AsArray()); // a time limit is not retried
            // The limit counts from the launch, which follows "preparing" at once; "building" comes
            // after the clone and the configuration, however long a loaded machine takes for them.
            var preparing = At(job, "preparing");
            var ended = DateTimeOffset.Parse(job["updated_at"]!.GetValue<string>());
            output.WriteLine($"{id}: preparing {preparing:HH:mm:ss.fff}, building {At(job, "building"):HH:mm:ss.fff}, failed {ended:HH:mm:ss.fff}: {failure["message"]}");
            Assert.True(ended - preparing >= limit - TimeSpan.FromSeconds(1), $"killed before its limit: {job.ToJsonString()}");
            Assert.True(ended - At(job, "building") <= limit + TimeSpan.FromSeconds(15), $"killed too late: {job.ToJsonString()}");

            // killed for real: nothing of the build is left on the server, nor its workspace
            Assert.Equal("", server.LiveProcessesInGroup(pgids[id]));
            Assert.True(await Eventually.GoneAsync(Path.Combine(server.WorkDirectory, "job-" + id)), "workspace left behind");

            // the log is published in storage, and it stops where the build was killed
            var dir = job["artifact_directory"]!.GetValue<string>();
            Assert.Equal(Path.Combine(env.StoragePath, id), dir);
            var published = await File.ReadAllTextAsync(Path.Combine(dir, "build.log"));
            Assert.Equal(published, await env.Farm.GetLogAsync(id));
            var lines = FaultFarm.CcNumbers(published);
            Assert.Equal(Enumerable.Range(1, lines.Count).ToList(), lines);
            Assert.InRange(lines.Count, 2, 30);
            Assert.Equal(0, FaultFarm.StepCount(published, "collecting"));
            Assert.True(File.Exists(Path.Combine(dir, "metadata.json")), "metadata.json missing");
            // the record lists exactly what was published (its final event names it)
            Assert.Equal(["build.log", "reproducer.sh"], Artifacts.Paths(job).Order());
            Artifacts.AssertStorageMatchesRecord(job);
        }

        var own = await env.Farm.WaitForEndAsync(withinOwnLimit, Timeout);
        Assert.Equal("completed", FarmProcess.Status(own)); // build_config.timeout_minutes overrides the default
        await env.WaitForIdleAsync("x86", Timeout);
    }

    [Fact]
    public async Task A_draining_server_finishes_its_running_jobs_takes_no_new_ones_and_takes_them_again_when_undrained()
    {
        await using var env = await FaultFarm.StartAsync([new("x86", "127.0.0.58", ["x86_64"], Slots: 2)]);
        using (var missing = await env.Farm.Http.PostAsync("api/v1/infrastructure/build-servers/nope/drain", null))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Round 1: one job running, then drain: a job submitted now waits though a slot is free.
        // Round 2: both slots busy and a job already waiting when the drain starts: it keeps waiting.
        for (var round = 1; round <= 2; round++)
        {
            var running = new List<string> { await env.Farm.SubmitAsync(env.Job(buildSeconds: 5)) };
            if (round == 2) running.Add(await env.Farm.SubmitAsync(env.Job(buildSeconds: 5)));
            foreach (var id in running) await env.Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", Timeout);
            string? waitingBefore = round == 2 ? await env.Farm.SubmitAsync(env.Job()) : null;

            var drained = await SetDrainingAsync(env, "x86", true);
            Assert.True(drained["draining"]!.GetValue<bool>());
            Assert.Equal(running.Count, drained["slots_in_use"]!.GetValue<int>());
            Assert.True((await env.GetServerAsync("x86"))["draining"]!.GetValue<bool>());
            var waiting = waitingBefore ?? await env.Farm.SubmitAsync(env.Job());

            foreach (var id in running)
            {
                var job = await env.Farm.WaitForEndAsync(id, Timeout);
                Assert.Equal("completed", FarmProcess.Status(job)); // draining does not touch running builds
                Artifacts.AssertStorageMatchesRecord(job);
            }
            // The server is idle and draining: the waiting job stays queued (a few placement rounds).
            await env.WaitForIdleAsync("x86", Timeout);
            await Consistently.HoldsAsync(async () =>
            {
                var job = await env.Farm.GetJobAsync(waiting);
                Assert.True(FarmProcess.Status(job) == "queued", $"round {round}: job placed on a draining server: {job.ToJsonString()}");
            }, TimeSpan.FromSeconds(4));

            var undrainRequested = DateTimeOffset.UtcNow;
            var undrained = await SetDrainingAsync(env, "x86", false);
            Assert.False(undrained["draining"]!.GetValue<bool>());
            var done = await env.Farm.WaitForEndAsync(waiting, Timeout);
            Assert.Equal("completed", FarmProcess.Status(done));
            Assert.Equal("x86", done["server_id"]!.GetValue<string>());
            var assigned = At(done, "assigned");
            output.WriteLine($"round {round}: undrained {undrainRequested:HH:mm:ss.fff}, waiting job assigned {assigned:HH:mm:ss.fff}");
            Assert.True(assigned >= undrainRequested.AddMilliseconds(-50), $"round {round}: the waiting job was assigned before the undrain");
            Assert.False((await env.GetServerAsync("x86"))["draining"]!.GetValue<bool>());
        }
    }

    private static async Task<JsonObject> SetDrainingAsync(FaultFarm env, string server, bool draining)
    {
        using var r = await env.Farm.Http.PostAsync($"api/v1/infrastructure/build-servers/{server}/{(draining ? "drain" : "undrain")}", null);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(draining ? "drain" : "undrain")}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static DateTimeOffset At(JsonObject job, string status) => DateTimeOffset.Parse(job["transitions"]!.AsArray()
        .Last(t => t!["status"]!.GetValue<string>() == status)!["at"]!.GetValue<string>());

    /// <summary>The file's trimmed text, or "" while it does not exist (or was just removed).</summary>
    private static string ReadIfThere(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : ""; }
        catch (IOException) { return ""; }
    }
}
