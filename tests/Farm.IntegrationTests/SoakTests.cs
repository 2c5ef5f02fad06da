using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A soak test: a three-node cluster with three build servers under a steady stream of fast jobs
/// while a seeded <see cref="FaultInjector"/> kills and stops nodes, cuts SSH connections and
/// stops build servers. Afterwards every accepted job must have ended — completed, or failed with
/// a recorded reason — published at most once, run to its end at most once, within MaxAttempts.
/// Set KFARM_SOAK_SEED to replay a run's faults (timing still varies).
/// </summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed partial class SoakTests(ITestOutputHelper output)
{
    private const int JobCount = 200;
    private const int MaxAttempts = 3; // FarmSettings.MaxAttempts default; FarmCluster does not override it
    private static readonly TimeSpan FaultPhase = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan SubmitPhase = TimeSpan.FromSeconds(80);
    /// <summary>
    /// Only a backstop against a run that never stops: the drain ends when every job has ended, or when
    /// none has changed for <see cref="NoProgressLimit"/> (stuck). How fast jobs move depends on the
    /// machine's load, so speed is not judged here; leaked capacity is (the slots check below).
    /// </summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const string JobsPath = "api/v1/infrastructure/build-jobs";
    private const int MaxSubmissionsInFlight = 8;
    /// <summary>A job that answered 404 this long, with nothing else left to wait for, is lost: stop waiting for it.</summary>
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(60);
    /// <summary>With faults over, retries back off by seconds: a job that has not moved this long is stuck.</summary>
    private static readonly TimeSpan NoProgressLimit = TimeSpan.FromSeconds(75);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _outputGate = new();
    private readonly StringBuilder _transcript = new();

    private sealed record Submission(int Index, string Id, int BuildSeconds, string Node, HttpStatusCode Status, TimeSpan At, int Tries, IReadOnlyList<string> History);

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Random_node_and_server_faults_under_load_end_every_job_once_and_publish_it_once()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KFARM_SOAK_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        Say($"seed {seed} (replay with KFARM_SOAK_SEED={seed})");

        await using var cluster = await FarmCluster.StartAsync(nodes: 3, servers: 3, slotsPerServer: 2);
        Say($"cluster up: 3 nodes, 3 servers x 2 slots, storage {cluster.StoragePath}");
        var evidence = Path.Combine(TempDirectory.Root, $"soak-{seed}");
        var injector = new FaultInjector(cluster, seed, Say, _clock, new FaultInjector.Options { Duration = FaultPhase });
        try
        {
            await RunAsync(cluster, injector, seed, evidence);
        }
        finally
        {
            await injector.QuiesceAsync(); // no relaunch may race the disposal of the cluster
            SaveEvidence(cluster, evidence);
        }
    }

    private async Task RunAsync(FarmCluster cluster, FaultInjector injector, int seed, string evidence)
    {
        var submissions = new List<Submission>();
        var gaveUp = new List<int>();
        var submitStart = _clock.Elapsed;

        // ---- load and faults, concurrently ---------------------------------------------------
        var faults = injector.RunAsync();
        var submitting = SubmitAllAsync(cluster, seed, submissions, gaveUp);
        await Task.WhenAll(faults, submitting);
        var faultEnd = _clock.Elapsed;
        Say($"submitted: {submissions.Count} accepted ({submissions.Count(s => s.Status == HttpStatusCode.Accepted)} with 202, " +
            $"{submissions.Count(s => s.Status == HttpStatusCode.OK)} with 200 on an Idempotency-Key retry), {gaveUp.Count} given up " +
            $"[{string.Join(",", gaveUp)}]; {submissions.Count(s => s.Tries > 1)} needed more than one try");
        Assert.All(cluster.Servers, s => Assert.True(s.IsRunning));

        // ---- drain: every accepted job must end (bounded) ----------------------------------------
        var final = new Dictionary<string, JsonObject>();
        var last = new Dictionary<string, JsonObject?>();
        var notFound = new Dictionary<string, int>();
        var notFoundSince = new Dictionary<string, TimeSpan>();
        var pending = submissions.Select(s => s.Id).ToHashSet();
        var drainDeadline = _clock.Elapsed + DrainTimeout;
        var lastProgress = TimeSpan.Zero;
        var lastTerminalAt = _clock.Elapsed;
        var lastChange = _clock.Elapsed;
        while (pending.Count > 0 && _clock.Elapsed < drainDeadline)
        {
            foreach (var id in pending.ToList())
            {
                var (status, job) = await GetJobAsync(cluster, id);
                if (status == HttpStatusCode.NotFound)
                {
                    notFound[id] = notFound.GetValueOrDefault(id) + 1;
                    notFoundSince.TryAdd(id, _clock.Elapsed);
                }
                else notFoundSince.Remove(id);
                if (job is null) continue;
                if (last.GetValueOrDefault(id) is not { } before || before["updated_at"]?.ToString() != job["updated_at"]?.ToString())
                    lastChange = _clock.Elapsed;
                last[id] = job;
                if (FarmProcess.Status(job) is "completed" or "failed" or "cancelled")
                {
                    final[id] = job;
                    pending.Remove(id);
                    lastTerminalAt = lastChange = _clock.Elapsed;
                }
            }
            if (pending.Count == 0) break;
            if (_clock.Elapsed - lastChange > NoProgressLimit)
            {
                Say($"drain: none of the {pending.Count} jobs left has changed for {NoProgressLimit.TotalSeconds:0} s; they are stuck");
                break;
            }
            if (pending.All(id => notFoundSince.TryGetValue(id, out var since) && _clock.Elapsed - since > LostAfter))
            {
                Say($"drain: the {pending.Count} jobs left have answered 404 for over {LostAfter.TotalSeconds:0} s; not waiting for them any longer");
                break;
            }
            if (_clock.Elapsed - lastProgress > TimeSpan.FromSeconds(15))
            {
                lastProgress = _clock.Elapsed;
                Say($"drain: {pending.Count} not ended yet: " + string.Join(", ", pending
                    .GroupBy(id => last.GetValueOrDefault(id) is { } j ? FarmProcess.Status(j) : "?")
                    .OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
            }
            await Task.Delay(2000);
            injector.ReviveExitedNodes();
        }
        var drainEnd = _clock.Elapsed;
        await injector.AllBackAsync();

        // ---- checks -----------------------------------------------------------------------------
        var problems = new List<string>();
        foreach (var id in pending)
        {
            var j = last.GetValueOrDefault(id);
            var stuck = drainEnd - lastChange > NoProgressLimit;
            problems.Add(j is null
                ? $"LOST {id}: never readable by id ({notFound.GetValueOrDefault(id)} x 404)"
                : (stuck ? "STUCK" : "NOT ENDED") + $" {id}: {FarmProcess.Status(j)} when the drain ended at +{drainEnd.TotalSeconds:0} s " +
                  (stuck ? $"(no job had changed for {NoProgressLimit.TotalSeconds:0} s); " : $"(jobs were still moving after {DrainTimeout.TotalMinutes:0} min); ") + Describe(j));
        }

        var nodeLogs = cluster.Nodes.Select(n => File.Exists(n.LogPath) ? File.ReadAllText(n.LogPath) : "").ToList();
        var retried = new List<string>();
        var stepDoneCounts = new Dictionary<string, int>();
        var logs = new Dictionary<string, string>();
        foreach (var s in submissions)
        {
            if (!final.TryGetValue(s.Id, out var job)) continue;
            var status = FarmProcess.Status(job);
            var attempts = job["attempts"]?.AsArray() ?? [];
            if (attempts.Count > MaxAttempts) problems.Add($"{s.Id}: {attempts.Count} attempts > MaxAttempts {MaxAttempts}; {Describe(job)}");
            if (attempts.Count > 1) retried.Add(s.Id);

            var assigned = nodeLogs.Sum(l => Count(l, $"job {s.Id}: assigned to "));
            var ended = nodeLogs.Sum(l => Count(l, $"job {s.Id}: {status}\n"));
            if (assigned > attempts.Count)
                problems.Add($"{s.Id}: {assigned} 'assigned' log lines across nodes for {attempts.Count} recorded attempts (an attempt started twice); {Describe(job)}");
            if (ended > 1)
                problems.Add($"{s.Id}: its end ('job {s.Id}: {status}') was logged {ended} times across nodes; {Describe(job)}");

            var dir = Path.Combine(cluster.StoragePath, s.Id);
            switch (status)
            {
                case "completed":
                {
                    if (attempts.Count == 0) problems.Add($"{s.Id}: completed without any attempt; {Describe(job)}");
                    if (job["artifact_directory"]?.GetValue<string>() != dir)
                        problems.Add($"{s.Id}: completed with artifact_directory {job["artifact_directory"]} instead of {dir}");
                    problems.AddRange(StorageProblems(s.Id, job));
                    var log = await GetLogAsync(cluster, s.Id);
                    if (log is null) { problems.Add($"{s.Id}: log not readable"); break; }
                    logs[s.Id] = log;
                    // The central log holds every attempt one after the other; each run of the build
                    // script starts with "step preparing". The final attempt must have run to "done"
                    // exactly once, and no attempt may have run twice.
                    var markers = StepMarker().Matches(log).Select(m => m.Groups[1].Value).ToList();
                    var runs = markers.Count(m => m == "preparing");
                    var done = markers.Count(m => m == "done");
                    var lastRun = markers.LastIndexOf("preparing");
                    var finalDone = markers.Skip(Math.Max(0, lastRun)).Count(m => m == "done");
                    stepDoneCounts[s.Id] = done;
                    if (finalDone != 1 || runs > attempts.Count || done > attempts.Count)
                        problems.Add($"{s.Id}: completed log has {done} '==> kfarm: step done' lines ({finalDone} after the last 'step preparing') " +
                                     $"and {runs} 'step preparing' for {attempts.Count} attempts (expected exactly one done in the final run and " +
                                     $"at most one run per attempt: a run or its log was doubled, or part of the log is missing); " +
                                     $"{Describe(job)}; step markers: {string.Join(" ", markers)}");
                    break;
                }
                case "failed":
                {
                    var failure = job["failure"] as JsonObject;
                    if (string.IsNullOrWhiteSpace(failure?["kind"]?.ToString()) || string.IsNullOrWhiteSpace(failure?["message"]?.ToString()))
                        problems.Add($"{s.Id}: failed without a recorded failure kind and message; {Describe(job)}");
                    if (job["artifact_directory"] is null)
                    {
                        if (Directory.Exists(dir)) problems.Add($"{s.Id}: failed without an artifact directory, yet {dir} was published; {Describe(job)}");
                    }
                    else problems.AddRange(StorageProblems(s.Id, job));
                    break;
                }
                default:
                    problems.Add($"{s.Id}: ended as {status}, but nobody cancelled it; {Describe(job)}");
                    break;
            }
        }

        // Storage: one folder per published job, named by a job we know, and no staging left behind.
        var known = submissions.Select(s => s.Id).ToHashSet();
        var listed = await ListJobsAsync(cluster, final);
        var untracked = listed.Keys.Where(id => !known.Contains(id)).ToList();
        foreach (var folder in Directory.EnumerateDirectories(cluster.StoragePath).Select(Path.GetFileName))
        {
            if (folder is ".logs" or ".staging") continue;
            if (!known.Contains(folder!) && !listed.ContainsKey(folder!)) problems.Add($"storage folder {folder} belongs to no job");
        }
        var staging = Path.Combine(cluster.StoragePath, ".staging");
        if (Directory.Exists(staging))
            foreach (var left in Directory.EnumerateFileSystemEntries(staging).Where(e => !pending.Contains(Path.GetFileName(e))))
                problems.Add($"staging entry left behind by an ended job: {left}");

        // Capacity: once a job has ended, its build slot must be free again.
        foreach (var (server, jobs) in await SlotsHeldAsync(cluster, pending))
        {
            var ended = jobs.Where(j => !pending.Contains(j)).ToList();
            if (ended.Count > 0) problems.Add($"{server} still holds slots for {ended.Count} jobs that are not running: {string.Join(", ", ended)}");
            foreach (var j in jobs.Where(pending.Contains)) Say($"{server} holds a slot for the unfinished job {j}");
        }

        // The list (read side) must know every job, with its final status.
        foreach (var id in known.Where(final.ContainsKey))
        {
            if (!listed.TryGetValue(id, out var status)) problems.Add($"{id}: missing from GET {JobsPath} (the job index)");
            else if (status != FarmProcess.Status(final[id])) problems.Add($"{id}: the job index says {status}, the job says {FarmProcess.Status(final[id])}");
        }
        foreach (var id in untracked)
            Say($"untracked job {id} in the list ({listed[id]}): a submission whose answer was lost");

        // ---- figures ----------------------------------------------------------------------------
        var completed = final.Values.Count(j => FarmProcess.Status(j) == "completed");
        var failedJobs = final.Values.Where(j => FarmProcess.Status(j) == "failed").ToList();
        var activeMinutes = (lastTerminalAt - submitStart).TotalMinutes;
        Say("==== soak figures ====");
        Say($"seed                {seed}");
        Say($"jobs accepted       {submissions.Count} of {JobCount}: {submissions.Count(s => s.Status == HttpStatusCode.Accepted)} with 202, " +
            $"{submissions.Count(s => s.Status == HttpStatusCode.OK)} with 200 when an Idempotency-Key retry found the first try accepted; " +
            $"{gaveUp.Count} submissions given up, {untracked.Count} untracked jobs in the list");
        Say($"  with build time   {submissions.Count(s => s.BuildSeconds > 0)} (FAKE_BUILD_SECONDS 2-6)");
        Say($"completed           {completed}");
        Say($"failed              {failedJobs.Count}");
        foreach (var g in failedJobs.GroupBy(j => $"{j["failure"]?["kind"]} in {j["failure"]?["step"]}: {Normalize(j["failure"]?["message"]?.ToString() ?? "")}")
                     .OrderByDescending(g => g.Count()))
            Say($"  {g.Count(),4} x {g.Key}");
        Say($"not ended           {pending.Count}");
        Say($"retried (attempts>1) {retried.Count}; attempts histogram: " + string.Join(", ", final.Values
            .GroupBy(j => j["attempts"]?.AsArray().Count ?? 0).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}")));
        foreach (var g in final.Values.SelectMany(j => j["attempts"]?.AsArray() ?? []).Select(a => a?["failure"]).OfType<JsonObject>()
                     .GroupBy(f => $"{f["kind"]} in {f["step"]}: {Normalize(f["message"]?.ToString() ?? "")}").OrderByDescending(g => g.Count()))
            Say($"  lost attempt {g.Count(),4} x {g.Key}");
        Say($"faults injected     {injector.Total}: " + string.Join(", ", injector.Counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        Say($"unplanned exits     {injector.UnplannedExits.Count} (nodes that exited without a fault and were relaunched)" +
            string.Concat(injector.UnplannedExits.Select(u => "\n    " + u)));
        Say($"wall time           {_clock.Elapsed.TotalSeconds:0.0} s total; faults+submission {(faultEnd - submitStart).TotalSeconds:0.0} s; " +
            $"drain {(drainEnd - faultEnd).TotalSeconds:0.0} s; last job ended at +{lastTerminalAt.TotalSeconds:0.0} s");
        Say($"throughput          {(activeMinutes > 0 ? final.Count / activeMinutes : 0):0.0} jobs/min ended, " +
            $"{(activeMinutes > 0 ? completed / activeMinutes : 0):0.0} jobs/min completed (first submission to last end)");
        foreach (var id in retried.Take(40))
        {
            var j = final[id];
            Say($"  retried {id}: {FarmProcess.Status(j)}; {Describe(j)}; step done lines {stepDoneCounts.GetValueOrDefault(id)}");
        }

        if (problems.Count > 0)
        {
            Say($"==== {problems.Count} problems ====");
            foreach (var p in problems) Say(p);
            foreach (var id in problems.Select(JobIdIn).OfType<string>().Distinct().Take(5))
            {
                if (submissions.FirstOrDefault(x => x.Id == id) is { } sub)
                    Say($"submission #{sub.Index} of {id} (FAKE_BUILD_SECONDS {sub.BuildSeconds}):\n  " + string.Join("\n  ", sub.History));
                Say(JobEvidence(cluster, id, final.GetValueOrDefault(id) ?? last.GetValueOrDefault(id)));
            }
        }
        try
        {
            var logDir = Path.Combine(evidence, "job-logs");
            Directory.CreateDirectory(logDir);
            foreach (var id in retried.Concat(problems.Select(JobIdIn).OfType<string>()).Distinct())
            {
                if (logs.TryGetValue(id, out var text) || (text = await GetLogAsync(cluster, id)) is not null)
                    await File.WriteAllTextAsync(Path.Combine(logDir, id + ".log"), text);
                if ((final.GetValueOrDefault(id) ?? last.GetValueOrDefault(id)) is { } record)
                    await File.WriteAllTextAsync(Path.Combine(logDir, id + ".json"), record.ToJsonString());
            }
        }
        catch (IOException e) { Say($"could not save job logs: {e.Message}"); }

        Assert.True(problems.Count == 0, $"{problems.Count} problems (seed {seed}):\n" + string.Join("\n", problems.Take(50)));
    }

    // ---- load --------------------------------------------------------------------------------

    private async Task SubmitAllAsync(FarmCluster cluster, int seed, List<Submission> submissions, List<int> gaveUp)
    {
        // Each submission starts at its own time (200 over SubmitPhase), a few in flight at once, so a
        // slow or failing POST during a fault does not hold the others back.
        var random = new Random(unchecked(seed * 31 + 7));
        var seconds = Enumerable.Range(0, JobCount).Select(_ => random.NextDouble() < 0.2 ? random.Next(2, 7) : 0).ToList();
        var interval = SubmitPhase / JobCount;
        var start = _clock.Elapsed;
        using var inFlight = new SemaphoreSlim(MaxSubmissionsInFlight);
        var tasks = new List<Task>();
        for (var i = 0; i < JobCount; i++)
        {
            var due = start + interval * i;
            if (due > _clock.Elapsed) await Task.Delay(due - _clock.Elapsed);
            await inFlight.WaitAsync();
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var submission = await SubmitOneAsync(cluster, index, seconds[index], $"soak-{seed}-{index}");
                    lock (submissions)
                    {
                        if (submission is null) gaveUp.Add(index);
                        else submissions.Add(submission);
                    }
                }
                finally { inFlight.Release(); }
            }));
        }
        await Task.WhenAll(tasks);
        lock (submissions) submissions.Sort((a, b) => a.Index.CompareTo(b.Index));
    }

    /// <summary>
    /// POSTs the job to a running node, trying the others when a call fails. The Idempotency-Key
    /// makes a retry safe: if the first call was accepted but its answer lost, the retry gets 200 and
    /// the same job.
    /// </summary>
    private async Task<Submission?> SubmitOneAsync(FarmCluster cluster, int index, int seconds, string key)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(45);
        var history = new List<string>();
        void Note(string line)
        {
            history.Add($"+{_clock.Elapsed.TotalSeconds:0.000}s {DateTime.UtcNow:HH:mm:ss.fff}Z {line}");
            Say(line);
        }
        for (var tries = 1; _clock.Elapsed < deadline; tries++)
        {
            var node = cluster.Nodes[(index + tries - 1) % cluster.Nodes.Count];
            var name = $"node{IndexOf(cluster, node) + 1}";
            if (!node.IsRunning) { await Task.Delay(100); continue; }
            var sent = _clock.Elapsed;
            try
            {
                using var cts = new CancellationTokenSource(RequestTimeout);
                using var msg = new HttpRequestMessage(HttpMethod.Post, JobsPath) { Content = JsonContent.Create(cluster.Job(seconds)) };
                msg.Headers.Add("Idempotency-Key", key);
                using var r = await node.Http.SendAsync(msg, cts.Token);
                var text = await r.Content.ReadAsStringAsync(cts.Token);
                if (r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                {
                    var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
                    var line = $"submit #{index} accepted by {name} on try {tries} with {(int)r.StatusCode}: {id}";
                    if (tries > 1 || r.StatusCode == HttpStatusCode.OK) Note(line);
                    else history.Add($"+{_clock.Elapsed.TotalSeconds:0.000}s {DateTime.UtcNow:HH:mm:ss.fff}Z {line}");
                    return new Submission(index, id, seconds, name, r.StatusCode, _clock.Elapsed, tries, history);
                }
                Note($"submit #{index} on {name}: {(int)r.StatusCode} {Truncate(text, 200)}; trying another node");
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                Note($"submit #{index} on {name}: {e.GetType().Name} {Truncate(e.Message, 120)} (after {(_clock.Elapsed - sent).TotalSeconds:0.0} s); trying another node");
            }
            await Task.Delay(300);
        }
        Say($"submit #{index}: gave up after 45 s");
        return null;
    }

    // ---- API reads that survive dead nodes --------------------------------------------------------

    private static async Task<(HttpStatusCode? Status, JsonObject? Job)> GetJobAsync(FarmCluster cluster, string id)
    {
        HttpStatusCode? status = null;
        foreach (var node in cluster.Nodes.Where(n => n.IsRunning))
        {
            try
            {
                using var cts = new CancellationTokenSource(RequestTimeout);
                using var r = await node.Http.GetAsync($"{JobsPath}/{id}", cts.Token);
                status = r.StatusCode;
                if (r.StatusCode == HttpStatusCode.OK)
                    return (status, JsonNode.Parse(await r.Content.ReadAsStringAsync(cts.Token))!.AsObject());
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { /* try the next node */ }
        }
        return (status, null);
    }

    private static async Task<string?> GetLogAsync(FarmCluster cluster, string id)
    {
        foreach (var node in cluster.Nodes.Where(n => n.IsRunning))
        {
            try
            {
                using var cts = new CancellationTokenSource(RequestTimeout);
                using var r = await node.Http.GetAsync($"{JobsPath}/{id}/log", cts.Token);
                if (r.StatusCode == HttpStatusCode.OK) return await r.Content.ReadAsStringAsync(cts.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { /* try the next node */ }
        }
        return null;
    }

    /// <summary>id → status from GET /build-jobs on a node, after the index caught up (bounded).</summary>
    private async Task<Dictionary<string, string>> ListJobsAsync(FarmCluster cluster, IReadOnlyDictionary<string, JsonObject> ended)
    {
        var result = new Dictionary<string, string>();
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(10);
        while (true)
        {
            foreach (var node in cluster.Nodes.Where(n => n.IsRunning))
            {
                try
                {
                    using var cts = new CancellationTokenSource(RequestTimeout);
                    var page = JsonNode.Parse(await node.Http.GetStringAsync($"{JobsPath}?limit=1000", cts.Token))!.AsObject();
                    result = page["jobs"]!.AsArray().Select(j => j!.AsObject())
                        .ToDictionary(j => j["id"]!.GetValue<string>(), FarmProcess.Status);
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { /* next node */ }
            }
            var caughtUp = ended.All(kv => result.GetValueOrDefault(kv.Key) == FarmProcess.Status(kv.Value));
            if (caughtUp || _clock.Elapsed > deadline) return result;
            await Task.Delay(1000);
        }
    }

    /// <summary>server id → jobs it reserves slots for, after slots of ended jobs had time to be released (bounded).</summary>
    private async Task<Dictionary<string, List<string>>> SlotsHeldAsync(FarmCluster cluster, IReadOnlySet<string> unfinished)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(10);
        var held = new Dictionary<string, List<string>>();
        while (true)
        {
            foreach (var node in cluster.Nodes.Where(n => n.IsRunning))
            {
                try
                {
                    using var cts = new CancellationTokenSource(RequestTimeout);
                    var body = JsonNode.Parse(await node.Http.GetStringAsync("api/v1/infrastructure/build-servers", cts.Token))!;
                    held = body["servers"]!.AsArray().Select(x => x!.AsObject()).ToDictionary(
                        x => x["id"]!.GetValue<string>(),
                        x => (x["running_jobs"]?.AsArray() ?? []).Select(j => j!.ToString()).ToList());
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { /* next node */ }
            }
            if (held.Values.All(jobs => jobs.All(unfinished.Contains)) || _clock.Elapsed > deadline)
                return held.Where(kv => kv.Value.Count > 0).ToDictionary();
            await Task.Delay(1000);
        }
    }

    // ---- checks and evidence -------------------------------------------------------------------

    private static IEnumerable<string> StorageProblems(string id, JsonObject job)
    {
        var problems = new List<string>();
        try
        {
            Artifacts.AssertStorageMatchesRecord(job);
        }
        catch (XunitException e)
        {
            problems.Add($"{id}: storage does not match the record: {e.Message.ReplaceLineEndings(" ")}; {Describe(job)}");
            return problems;
        }
        var dir = job["artifact_directory"]!.GetValue<string>();
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metadata.json")))!;
        if (metadata["job_id"]?.ToString() != id) problems.Add($"{id}: metadata.json names job {metadata["job_id"]}");
        // The published folder must come from the attempt the record ends with (not an older one).
        if (metadata["build"]?["server"]?.ToString() != job["server_id"]?.ToString())
            problems.Add($"{id}: metadata.json says server {metadata["build"]?["server"]}, the record {job["server_id"]}; {Describe(job)}");
        return problems;
    }

    private static string Describe(JsonObject job)
    {
        var attempts = job["attempts"]?.AsArray() ?? [];
        var list = string.Join(" ", attempts.Select(a =>
            $"#{a?["attempt"]}@{a?["server_id"]}{(a?["failure"] is JsonObject f ? $"[{f["kind"]}/{f["step"]}: {Truncate(f["message"]?.ToString() ?? "", 100)}]" : "")}"));
        var transitions = string.Join(">", (job["transitions"]?.AsArray() ?? []).Select(t => t?["status"]?.ToString()));
        return $"attempts {attempts.Count} ({list}); server {job["server_id"]}; transitions {transitions}";
    }

    /// <summary>The job's record, history and every node-log line naming it (for a bug report).</summary>
    private static string JobEvidence(FarmCluster cluster, string id, JsonObject? job)
    {
        var s = new StringBuilder();
        s.Append("---- evidence for job ").Append(id).Append(" ----\n");
        s.Append("record: ").Append(job?.ToJsonString() ?? "(none)").Append('\n');
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            var path = cluster.Nodes[i].LogPath;
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path).Where(l => l.Contains(id, StringComparison.Ordinal) && !l.Contains("HTTP/1.1", StringComparison.Ordinal)))
                s.Append($"node{i + 1}: ").Append(Truncate(line, 400)).Append('\n');
        }
        return s.ToString();
    }

    private void SaveEvidence(FarmCluster cluster, string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            for (var i = 0; i < cluster.Nodes.Count; i++)
                if (File.Exists(cluster.Nodes[i].LogPath)) File.Copy(cluster.Nodes[i].LogPath, Path.Combine(dir, $"node{i + 1}.log"), overwrite: true);
            for (var i = 0; i < cluster.Servers.Count; i++)
            {
                var log = cluster.Servers[i].ReadLog();
                File.WriteAllText(Path.Combine(dir, $"server{i + 1}-sshd.log"), log.Length > 4_000_000 ? log[^4_000_000..] : log);
            }
            lock (_outputGate) File.WriteAllText(Path.Combine(dir, "test-output.txt"), _transcript.ToString());
            Say($"node logs, sshd logs and this output copied to {dir}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Say($"could not save the evidence to {dir}: {e.Message}");
        }
    }

    private void Say(string line)
    {
        var stamped = line.StartsWith("[+", StringComparison.Ordinal) ? line : $"[+{_clock.Elapsed.TotalSeconds,7:0.000}s {DateTime.UtcNow:HH:mm:ss.fff}Z] {line}";
        lock (_outputGate)
        {
            _transcript.Append(stamped).Append('\n');
            try { output.WriteLine(stamped); }
            catch (InvalidOperationException) { /* the test already ended */ }
        }
    }

    private static int IndexOf(FarmCluster cluster, FarmProcess node)
    {
        for (var i = 0; i < cluster.Nodes.Count; i++)
            if (ReferenceEquals(cluster.Nodes[i], node)) return i;
        return -1;
    }

    private static int Count(string text, string needle)
    {
        var n = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    /// <summary>Failure messages with job ids, paths and numbers blanked, so equal causes group together.</summary>
    private static string Normalize(string message) =>
        Truncate(Numbers().Replace(Paths().Replace(Guids().Replace(message, "<id>"), "<path>"), "N"), 140);

    private static string? JobIdIn(string problem) => Guids().Match(problem) is { Success: true } m ? m.Value : null;

    [GeneratedRegex(@"^==> kfarm: step done$", RegexOptions.Multiline)] private static partial Regex StepDone();
    [GeneratedRegex(@"^==> kfarm: step (\S+)$", RegexOptions.Multiline)] private static partial Regex StepMarker();
    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")] private static partial Regex Guids();
    [GeneratedRegex(@"/[^\s:]+")] private static partial Regex Paths();
    [GeneratedRegex(@"\d+")] private static partial Regex Numbers();
}
