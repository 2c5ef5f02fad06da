using KernelFarm.IntegrationTests.Fixtures;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The API beyond submit/show: live logs as server-sent events (resumable), filtered lists, retry,
/// probe, the cluster palette, Prometheus metrics and the OpenAPI document, on a real host.
/// </summary>
public sealed partial class ApiTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const string Jobs = "api/v1/infrastructure/build-jobs";
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private sealed record SseEvent(string? Id, string? Type, string Data);

    /// <summary>Reads events from an open text/event-stream until <paramref name="stop"/> says so or the stream ends.</summary>
    private static async Task<List<SseEvent>> ReadEventsAsync(Stream stream, Func<SseEvent, bool> stop, CancellationToken ct)
    {
        var events = new List<SseEvent>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? id = null, type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count == 0 && id is null && type is null) continue; // a comment block ended
                var e = new SseEvent(id, type, string.Join('\n', data));
                events.Add(e);
                id = null; type = null; data.Clear();
                if (stop(e)) break;
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..]; // exactly one space after the colon belongs to the format
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Add(value); break;
            }
        }
        return events;
    }

    private async Task<Stream> OpenFollowAsync(string id, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Jobs}/{id}/log?follow=true");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await Farm.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStreamAsync(ct);
    }

    [Fact]
    public async Task The_live_log_follows_as_server_sent_events_and_resumes_after_a_reconnect_without_gap_or_duplicate()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var id = await Farm.SubmitAsync(Env.Job(buildSeconds: 5));

        // First connection: take two log events, then drop the connection mid-build.
        List<SseEvent> first;
        using (var stream = await OpenFollowAsync(id, null, cts.Token))
            first = await ReadEventsAsync(stream, e => e.Data.Contains("CC      init/file"), cts.Token);
        Assert.All(first, e => Assert.Equal("log", e.Type));
        var resumeAt = first[^1].Id!;
        Assert.Equal("building", FarmProcess.Status(await Farm.GetJobAsync(id))); // still running: the reconnect is mid-build

        // Second connection resumes from the last id and runs to the end event.
        List<SseEvent> rest;
        using (var stream = await OpenFollowAsync(id, resumeAt, cts.Token))
            rest = await ReadEventsAsync(stream, e => e.Type == "end", cts.Token);
        var end = rest[^1];
        Assert.Equal("end", end.Type);
        Assert.Equal("completed", JsonNode.Parse(end.Data)!["status"]!.GetValue<string>());

        var streamed = string.Concat(first.Concat(rest.SkipLast(1)).Select(e => e.Data + "\n"));
        var log = await Farm.GetLogAsync(id);
        Assert.Equal(log, streamed);
        Assert.Equal(Encoding.UTF8.GetByteCount(log).ToString(), rest[^2].Id); // every id is the byte offset after its lines
    }

    [Fact]
    public async Task A_follow_of_an_ended_job_sends_the_whole_log_and_the_end_event()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var id = await Farm.SubmitAsync(Env.Job());
        await Farm.WaitForEndAsync(id, Timeout);

        using var stream = await OpenFollowAsync(id, null, cts.Token);
        var events = await ReadEventsAsync(stream, e => e.Type == "end", cts.Token);
        Assert.Equal(await Farm.GetLogAsync(id), string.Concat(events.SkipLast(1).Select(e => e.Data + "\n")));

        var bad = new HttpRequestMessage(HttpMethod.Get, $"{Jobs}/{id}/log?follow=true");
        bad.Headers.Add("Last-Event-ID", "not-a-number");
        var problem = await Farm.Http.SendAsync(bad, cts.Token);
        Assert.Equal(HttpStatusCode.BadRequest, problem.StatusCode);
        Assert.Contains("Last-Event-ID", await problem.Content.ReadAsStringAsync(cts.Token));
    }

    [Fact]
    public async Task Artifact_downloads_honour_range_requests_and_carry_the_sha256()
    {
        var job = await Farm.WaitForEndAsync(await Farm.SubmitAsync(Env.Job()), Timeout);
        var id = job["id"]!.GetValue<string>();
        var entry = job["artifacts"]!.AsArray().First(a => a!["path"]!.GetValue<string>() == "vmlinux")!;
        var whole = await File.ReadAllBytesAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "vmlinux"));

        var full = await Farm.Http.GetAsync($"{Jobs}/{id}/artifacts/vmlinux");
        Assert.Equal(entry["sha256"]!.GetValue<string>(), full.Headers.GetValues("X-Checksum-Sha256").Single());
        Assert.Equal("bytes", full.Headers.AcceptRanges.Single());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await full.Content.ReadAsByteArrayAsync())),
            entry["sha256"]!.GetValue<string>());

        // Resume a download: the second half, as a client whose connection broke would ask for it.
        var half = whole.Length / 2;
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Jobs}/{id}/artifacts/vmlinux");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(half, null);
        var partial = await Farm.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(whole[half..], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(whole.Length, partial.Content.Headers.ContentRange!.Length);

        var beyond = new HttpRequestMessage(HttpMethod.Get, $"{Jobs}/{id}/artifacts/vmlinux");
        beyond.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(whole.Length + 10, null);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await Farm.Http.SendAsync(beyond)).StatusCode);
    }

    [Fact]
    public async Task Lists_filter_by_architecture_server_status_and_time_and_name_a_bad_parameter()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var arm = await Farm.SubmitAsync(Env.Job(arch: "arm64"));
        var x86 = await Farm.SubmitAsync(Env.Job());
        await Farm.WaitForEndAsync(arm, Timeout);
        await Farm.WaitForEndAsync(x86, Timeout);

        // The list is a read model that trails the job actors by a moment.
        Task<JsonObject> List(string query) => Eventually.ValueAsync(
            async () => (await Farm.Http.GetFromJsonAsync<JsonObject>($"{Jobs}?{query}"))!,
            page => page["jobs"]!.AsArray().Any(j => j!["id"]!.GetValue<string>() is var id && (id == arm || id == x86))
                    && page["jobs"]!.AsArray().All(j => FarmProcess.Status(j!.AsObject()) != "queued"),
            TimeSpan.FromSeconds(15), $"the list {query} to show one of its jobs, none queued", every: TimeSpan.FromMilliseconds(100));

        var since = Uri.EscapeDataString(before.ToString("O"));
        var arm64 = await List($"architecture=arm64&since={since}");
        Assert.Contains(arm, arm64["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));
        Assert.All(arm64["jobs"]!.AsArray(), j => Assert.Equal("arm64", j!["target_architecture"]!.GetValue<string>()));
        Assert.DoesNotContain(x86, arm64["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));

        var onX86 = await List($"server=x86&status=completed&since={since}");
        Assert.Contains(x86, onX86["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));
        Assert.All(onX86["jobs"]!.AsArray(), j => Assert.Equal("x86", j!["server_id"]!.GetValue<string>()));

        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        var none = (await Farm.Http.GetFromJsonAsync<JsonObject>($"{Jobs}?since={future}"))!;
        Assert.Equal(0, none["total"]!.GetValue<int>());

        foreach (var (query, field) in new[] { ("since=yesterday", "since"), ("until=2026-13-01", "until"), ($"since={future}&until={since}", "until"), ("status=sleeping", "status") })
        {
            var response = await Farm.Http.GetAsync($"{Jobs}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Retry_runs_an_ended_job_again_as_a_new_job_and_refuses_one_still_running()
    {
        var id = await Farm.SubmitAsync(Env.Job(buildSeconds: 3));
        var running = await Farm.Http.PostAsync($"{Jobs}/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, running.StatusCode);
        var original = await Farm.WaitForEndAsync(id, Timeout);

        var retried = await Farm.Http.PostAsync($"{Jobs}/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var copy = (await retried.Content.ReadFromJsonAsync<JsonObject>())!;
        var copyId = copy["id"]!.GetValue<string>();
        Assert.NotEqual(id, copyId);
        Assert.Equal(original["build_config"]!.ToJsonString(), copy["build_config"]!.ToJsonString());
        Assert.Equal("completed", FarmProcess.Status(await Farm.WaitForEndAsync(copyId, Timeout)));
        Assert.Equal("completed", FarmProcess.Status(await Farm.GetJobAsync(id))); // the original keeps its record

        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.PostAsync($"{Jobs}/{Guid.NewGuid()}/retry", null)).StatusCode);
    }

    [Fact]
    public async Task Probe_checks_a_server_now_and_reports_its_health()
    {
        var before = DateTimeOffset.UtcNow;
        var response = await Farm.Http.PostAsync("api/v1/infrastructure/build-servers/x86/probe", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("healthy", server["health"]!.GetValue<string>());
        Assert.True(server["last_probe_at"]!.GetValue<DateTimeOffset>() >= before.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.NotFound, (await Farm.Http.PostAsync("api/v1/infrastructure/build-servers/nope/probe", null)).StatusCode);
    }

    [Fact]
    public async Task The_cluster_palette_shows_members_singletons_sharding_and_actors()
    {
        var cluster = (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/cluster"))!;
        var self = cluster["self"]!.GetValue<string>();
        var member = Assert.Single(cluster["members"]!.AsArray())!;
        Assert.Equal(self, member["address"]!.GetValue<string>());
        Assert.Equal("up", member["status"]!.GetValue<string>());
        Assert.Equal(["gateway", "worker"], member["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(self, cluster["leader"]!.GetValue<string>());
        Assert.Equal(self, cluster["singletons"]!["build-queue"]!.GetValue<string>());

        await Farm.WaitForEndAsync(await Farm.SubmitAsync(Env.Job()), Timeout);
        var sharding = (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/cluster/sharding"))!;
        var region = Assert.Single(sharding["regions"]!.AsArray())!;
        Assert.Equal(self, region["address"]!.GetValue<string>());
        Assert.NotEmpty(region["shards"]!.AsArray());

        var actors = await Farm.Http.GetStringAsync("api/v1/cluster/actors?depth=3");
        Assert.Contains("\"/user/build-queue\"", actors);
        Assert.Contains("\"/user/server-pool\"", actors);
        Assert.Contains("\"/system/sharding/build-job\"", actors);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await Farm.Http.GetStreamAsync("api/v1/cluster/events", cts.Token);
        var up = await ReadEventsAsync(events, e => e.Type == "member-up", cts.Token);
        Assert.Equal(self, JsonNode.Parse(up[^1].Data)!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cluster_actions_name_a_bad_or_unknown_address()
    {
        var bad = await Farm.Http.PostAsJsonAsync("api/v1/cluster/down", new { address = "not an address" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"address\"", await bad.Content.ReadAsStringAsync());

        var missing = await Farm.Http.PostAsJsonAsync("api/v1/cluster/leave", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        var stranger = await Farm.Http.PostAsJsonAsync("api/v1/cluster/down", new { address = "akka.tcp://kernelfarm@127.0.0.1:1" });
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType?.MediaType);
    }

    [GeneratedRegex(@"^kfarm_job_step_duration_seconds_count\{[^}]*step=""building""[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex BuildingCount();

    private static long Sum(Regex regex, string text) => regex.Matches(text).Sum(m => long.Parse(m.Groups[1].Value));

    [Fact]
    public async Task Metrics_are_exposed_for_prometheus_without_a_token_and_move_when_jobs_run()
    {
        using var anonymous = new HttpClient { BaseAddress = Farm.Http.BaseAddress };
        // The gauges are read from the actors every 2 s: the first reading may still be on its way.
        var slots = new Regex(@"kfarm_server_slot_utilisation(_ratio)?\{[^}]*server=""x86""[^}]*\} [0-9.]+");
        var before = await Eventually.ValueAsync(() => anonymous.GetStringAsync("metrics"), slots.IsMatch, TimeSpan.FromSeconds(10),
            "the x86 server's slot gauge in /metrics");
        Assert.Contains("kfarm_queue_depth", before);

        await Farm.WaitForEndAsync(await Farm.SubmitAsync(Env.Job()), Timeout);

        // Gauges refresh every 2 s and the exporter caches a scrape briefly: poll for the move.
        var after = await Eventually.ValueAsync(() => anonymous.GetStringAsync("metrics"),
            m => Sum(BuildingCount(), m) > Sum(BuildingCount(), before) && m.Contains("kfarm_jobs_ended_total")
                 && Regex.IsMatch(m, @"kfarm_jobs\{[^}]*state=""completed""[^}]*\} [1-9]"),
            TimeSpan.FromSeconds(30), "the building step's duration count and the completed jobs to move in /metrics", every: TimeSpan.FromMilliseconds(500));
        Assert.Matches(@"kfarm_jobs_ended_total\{[^}]*status=""completed""[^}]*\} [1-9]", after);
        Assert.Matches(@"kfarm_jobs\{[^}]*state=""completed""[^}]*\} [1-9]", after);
        Assert.Matches(@"kfarm_artifacts_bytes_total(\{[^}]*\})? [1-9]", after);
    }

    private static int DurationCount(JsonObject stats, string arch) =>
        stats["durations"]!.AsArray().SingleOrDefault(d => d!["architecture"]!.GetValue<string>() == arch)?["count"]!.GetValue<int>() ?? 0;

    [Fact]
    public async Task Stats_count_a_completed_job_in_its_architecture_durations_and_in_jobs_by_status()
    {
        var before = (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/stats"))!;
        var id = await Farm.SubmitAsync(Env.Job(buildSeconds: 1));
        Assert.Equal("completed", FarmProcess.Status(await Farm.WaitForEndAsync(id, Timeout)));

        // The job index trails the job by its refresh interval: poll for the count to move.
        var after = await Eventually.ValueAsync(async () => (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/stats"))!,
            a => DurationCount(a, "x86_64") > DurationCount(before, "x86_64"), TimeSpan.FromSeconds(30), "the x86_64 duration count to move");

        // at least this one: the farm is shared, and another class's plan may end a job meanwhile
        Assert.True(DurationCount(after, "x86_64") >= DurationCount(before, "x86_64") + 1);
        var x86 = after["durations"]!.AsArray().Single(d => d!["architecture"]!.GetValue<string>() == "x86_64")!;
        var (p50, p90, max) = (x86["p50_seconds"]!.GetValue<double>(), x86["p90_seconds"]!.GetValue<double>(), x86["max_seconds"]!.GetValue<double>());
        Assert.True(p50 > 0 && p50 <= p90 && p90 <= max, x86.ToJsonString());
        var architectures = after["durations"]!.AsArray().Select(d => d!["architecture"]!.GetValue<string>()).ToList();
        Assert.Equal(architectures.Order(StringComparer.Ordinal), architectures);

        var byStatus = after["jobs_by_status"]!.AsObject();
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "booting", "transferring", "completed", "failed", "cancelled"],
            byStatus.Select(s => s.Key));
        Assert.True(byStatus["completed"]!.GetValue<int>() > before["jobs_by_status"]!["completed"]!.GetValue<int>());

        // This node's load history: 10 s samples, oldest first, taken since the host started.
        Assert.Equal(10, after["interval_seconds"]!.GetValue<double>());
        // a farm started moments ago may not have sampled its registered servers yet: the next sample comes within 10 s
        var history = (await Eventually.ValueAsync(async () => (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/stats"))!,
            s => s["history"]!.AsArray().Any(h => h!["slots_total"]!.GetValue<int>() > 0), TimeSpan.FromSeconds(25),
            "a load sample with the servers' slots"))["history"]!.AsArray();
        Assert.NotEmpty(history);
        var times = history.Select(h => h!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(history, h => Assert.True(h!["slots_total"]!.GetValue<int>() >= h["slots_in_use"]!.GetValue<int>()));
        Assert.Contains(history, h => h!["slots_total"]!.GetValue<int>() > 0);

        // A since after the job was created leaves it out of the durations.
        var later = (await Farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/stats?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}"))!;
        Assert.Empty(later["durations"]!.AsArray());
        Assert.Empty(later["history"]!.AsArray());
    }

    [Fact]
    public async Task Stats_refuse_a_since_that_is_not_a_time_naming_it()
    {
        var response = await Farm.Http.GetAsync("api/v1/stats?since=garbage");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("since", Assert.Single(problem["errors"]!.AsArray())!["field"]!.GetValue<string>());
    }

    /// <summary>Every route the host maps, by method; the OpenAPI document must list exactly these.</summary>
    public static readonly (string Method, string Path)[] Routes =
    [
        ("post", "/api/v1/infrastructure/build-jobs"),
        ("get", "/api/v1/infrastructure/build-jobs"),
        ("get", "/api/v1/infrastructure/build-jobs/{id}"),
        ("post", "/api/v1/infrastructure/build-jobs/{id}/cancel"),
        ("post", "/api/v1/infrastructure/build-jobs/{id}/retry"),
        ("get", "/api/v1/infrastructure/build-jobs/{id}/log"),
        ("get", "/api/v1/infrastructure/build-jobs/{id}/artifacts"),
        ("get", "/api/v1/infrastructure/build-jobs/{id}/artifacts/{path}"),
        ("post", "/api/v1/infrastructure/build-servers"),
        ("get", "/api/v1/infrastructure/build-servers"),
        ("get", "/api/v1/infrastructure/build-servers/{id}"),
        ("post", "/api/v1/infrastructure/build-servers/{id}/drain"),
        ("post", "/api/v1/infrastructure/build-servers/{id}/undrain"),
        ("post", "/api/v1/infrastructure/build-servers/{id}/probe"),
        ("delete", "/api/v1/infrastructure/build-servers/{id}"),
        ("get", "/api/v1/cluster"),
        ("get", "/api/v1/cluster/events"),
        ("post", "/api/v1/cluster/leave"),
        ("post", "/api/v1/cluster/down"),
        ("post", "/api/v1/cluster/join"),
        ("get", "/api/v1/cluster/sharding"),
        ("get", "/api/v1/cluster/actors"),
        ("get", "/api/v1/stats"),
        ("get", "/api/v1/catalog"),
        ("post", "/api/v1/plans"),
        ("get", "/api/v1/plans"),
        ("get", "/api/v1/plans/{id}"),
        ("post", "/api/v1/plans/{id}/cancel"),
        ("post", "/api/v1/series"),
        ("get", "/api/v1/series/{id}"),
        ("get", "/api/v1/series/{id}/report"),
        ("post", "/api/v1/bisections"),
        ("get", "/api/v1/bisections/{id}"),
        ("post", "/api/v1/bisections/{id}/cancel"),
        ("get", "/api/v1/kcidb"),
        ("get", "/healthz/live"),
        ("get", "/healthz/ready"),
        ("get", "/healthz/cluster"),
        ("get", "/api/v1/whoami"),
        ("get", "/dashboard/session"),
        ("post", "/dashboard/session"),
        ("delete", "/dashboard/session"),
    ];

    [Fact]
    public async Task The_openapi_document_is_valid_and_lists_exactly_the_routes_the_host_serves()
    {
        using var anonymous = new HttpClient { BaseAddress = Farm.Http.BaseAddress };
        var text = await anonymous.GetStringAsync("openapi/v1.json");

        var read = Microsoft.OpenApi.Reader.OpenApiModelFactory.Parse(text, "json", new Microsoft.OpenApi.Reader.OpenApiReaderSettings());
        var document = read.Document;
        Assert.NotNull(document);
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Equal("KernelFarm API", document!.Info.Title);

        var documented = document.Paths.SelectMany(p => p.Value.Operations!.Keys.Select(m => (m.ToString().ToLowerInvariant(), p.Key))).ToHashSet();
        Assert.Equal(Routes.OrderBy(r => r.Path).ThenBy(r => r.Method), documented.OrderBy(r => r.Item2).ThenBy(r => r.Item1));

        // Every documented route exists: none answers 404 or 405 for its method (auth and bodies aside).
        foreach (var (method, path) in Routes.Where(r => r.Path != "/api/v1/cluster/events"))
        {
            var concrete = path.Replace("{id}", "00000000-0000-0000-0000-000000000000").Replace("{path}", "x");
            var response = await Farm.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), concrete.TrimStart('/'))
            {
                Content = method == "get" ? null : JsonContent.Create(new { }),
            });
            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            if (response.StatusCode == HttpStatusCode.NotFound)
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType); // a resource, not a route, is missing
        }
    }
}
