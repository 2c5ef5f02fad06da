using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Bounded resources and job ownership against a real farm host with real sshd build servers: the
/// attacks measured on main (a megabyte of webhook events per job, 28 MB anonymous sign-in bodies,
/// another token's Idempotency-Key, cancelling and retrying another token's job with its secrets,
/// GETs of made-up ids filling the sharding journal) are each refused here, and a job cancelled while
/// queued still calls its webhooks (the farm allows loopback webhooks: its test listeners live there).
/// </summary>
public sealed class LimitsTests(WebhookFarmFixture fixture) : IClassFixture<WebhookFarmFixture>, IAsyncDisposable
{
    private const string Jobs = "api/v1/infrastructure/build-jobs";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private HttpClient ClientFor(string? token)
    {
        var http = new HttpClient { BaseAddress = Farm.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(token);
        return http;
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(HttpClient http, string path, JsonNode? body, string? key = null)
    {
        using var msg = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null) msg.Headers.Add("Idempotency-Key", key);
        using var r = await http.SendAsync(msg);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    private static IEnumerable<string> Fields(JsonObject problem) =>
        (problem["errors"]?.AsArray() ?? []).Select(e => e!["field"]!.GetValue<string>())
        .Concat(problem["field"] is { } f ? [f.GetValue<string>()] : []);

    /// <summary>Keeps x86_64 jobs waiting in the queue: the only x86 server takes no new job while drained.</summary>
    private async Task<IAsyncDisposable> DrainX86Async()
    {
        (await Farm.Http.PostAsync("api/v1/infrastructure/build-servers/x86/drain", null)).EnsureSuccessStatusCode();
        return new Undrain(Farm.Http);
    }

    private sealed class Undrain(HttpClient http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            (await http.PostAsync("api/v1/infrastructure/build-servers/x86/undrain", null)).EnsureSuccessStatusCode();
    }

    private static long RssKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    private async Task<int> TotalJobsAsync() =>
        (await Farm.Http.GetFromJsonAsync<JsonObject>($"{Jobs}?limit=1"))!["total"]!.GetValue<int>();

    private long DataBytes() => Directory.EnumerateFiles(Farm.DataDirectory).Sum(f => new FileInfo(f).Length);

    private static async Task<string> SqliteAsync(string file, string sql) =>
        (await Proc.RunAsync("sqlite3", ["-readonly", file, sql], throwOnError: true)).Stdout.Trim();

    /// <summary>The journal table of a SQLite file and its column holding the serialized events.</summary>
    private static async Task<(string Table, string Payload)> JournalTableAsync(string file)
    {
        var tables = (await SqliteAsync(file, "SELECT name FROM sqlite_master WHERE type = 'table';")).Split('\n');
        var table = tables.First(t => t is "journal" or "sharding_journal" or "event_journal");
        var columns = (await SqliteAsync(file, $"SELECT name FROM pragma_table_info('{table}');")).Split('\n');
        return (table, columns.First(c => c is "payload" or "message"));
    }

    /// <summary>Journal rows (of every persistent actor in the file) whose event contains <paramref name="text"/>.</summary>
    private static async Task<int> RowsMentioningAsync(string file, string text)
    {
        var (table, payload) = await JournalTableAsync(file);
        return int.Parse(await SqliteAsync(file, $"SELECT count(*) FROM {table} WHERE instr(CAST({payload} AS TEXT), '{text}') > 0;"));
    }

    private static async Task<int> RowsAsync(string file)
    {
        var (table, _) = await JournalTableAsync(file);
        return int.Parse(await SqliteAsync(file, $"SELECT count(*) FROM {table};"));
    }

    private string DataFile(string name) => Path.Combine(Farm.DataDirectory, name);

    // ================================================================ sizes

    [Fact]
    public async Task A_flood_of_submissions_with_a_megabyte_of_webhook_events_is_refused_and_costs_nothing()
    {
        var marker = "flood-" + Guid.NewGuid().ToString("N");
        var job = Env.Job();
        // ~940 KB of valid event names: under the body limit, so only the list's bound refuses it
        job["webhooks"] = new JsonArray(new JsonObject
        {
            ["url"] = $"http://127.0.0.1:9/{marker}",
            ["events"] = new JsonArray(Enumerable.Repeat("completed", 78_000).Select(e => (JsonNode)e!).ToArray()),
        });
        var body = job.ToJsonString();
        Assert.InRange(body.Length, 900_000, 1_000_000);
        var rssBefore = RssKb(Farm.Pid);
        var dataBefore = DataBytes();

        using var http = ClientFor(TestTokens.Submitter);
        for (var i = 0; i < 100; i++)
        {
            using var r = await http.PostAsync(Jobs, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var problem = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
            Assert.Equal(["webhooks[0].events"], Fields(problem));
        }

        // Nothing was queued or written; main grew to 1.2 GB RSS and 93 MB of journal on this flood.
        Assert.Equal(0, await RowsMentioningAsync(DataFile("farm-queue.db"), marker));
        Assert.Equal(0, await RowsMentioningAsync(DataFile("farm.db"), marker));
        Assert.True(DataBytes() - dataBefore < 1 << 20, $"the data directory grew by {DataBytes() - dataBefore} bytes");
        var grown = RssKb(Farm.Pid) - rssBefore;
        Assert.True(grown < 200 * 1024, $"the farm's RSS grew by {grown} KiB on refused submissions");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        using var http = ClientFor(TestTokens.Submitter);
        // a head announcing 2 MiB and no body: the answer must come from the head alone
        var r = await Hostile.ExchangeRawAsync(http, "POST", Jobs,
            ["Content-Type: application/json", $"Content-Length: {2 << 20}", "Connection: close"], []);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.Status);
        Assert.Equal("application/problem+json", r.MediaType);
        Assert.Equal(["body"], Fields(r.Json!));
    }

    [Theory]
    [InlineData(true)]  // Content-Length: refused before a byte is read
    [InlineData(false)] // chunked: cut off at the limit
    public async Task Anonymous_sign_in_bodies_are_bounded_at_4_KiB_and_do_not_grow_the_farm(bool contentLength)
    {
        using var http = ClientFor(null);
        var tooBig = "{\"token\": \"" + new string('t', 28 << 20) + "\"}";
        var rssBefore = RssKb(Farm.Pid);
        for (var i = 0; i < 5; i++)
        {
            HttpContent content = contentLength
                ? new StringContent(tooBig, Encoding.UTF8, "application/json")
                : new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(tooBig)));
            if (!contentLength) content.Headers.ContentType = new("application/json");
            using var msg = new HttpRequestMessage(HttpMethod.Post, "dashboard/session") { Content = content };
            if (!contentLength) msg.Headers.TransferEncodingChunked = true;
            HttpResponseMessage r;
            try { r = await http.SendAsync(msg); }
            catch (HttpRequestException)
            {   // the server answered and closed while the client was still sending: refused all the same
                continue;
            }
            using (r)
            {
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        }
        var grown = RssKb(Farm.Pid) - rssBefore;
        Assert.True(grown < 64 * 1024, $"the farm's RSS grew by {grown} KiB on refused sign-ins");

        // A sign-in of ordinary size still works.
        var (status, who) = await PostAsync(http, "dashboard/session", new JsonObject { ["token"] = TestTokens.Viewer });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("viewer", who["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_list_page_is_bounded_in_bytes_and_next_offset_pages_through_everything()
    {
        await using (await DrainX86Async())
        {
            // three jobs of ~600 KB each: two would not fit in a 1 MiB page
            var fragments = new JsonArray(Enumerable.Range(0, 150)
                .Select(i => (JsonNode)$"CONFIG_LIMITS_{i}=\"{new string('x', 3990)}\"").ToArray());
            var ids = new List<string>();
            for (var i = 0; i < 3; i++) ids.Add(await Farm.SubmitAsync(Env.Job(fragments: (JsonArray)fragments.DeepClone())));
            try
            {
                // the list is read from each node's job index, which trails the journal a little
                await Eventually.TrueAsync(async () => ids.All((await PageThroughAsync()).Contains), Timeout, "the three jobs are listed");
                var seen = await PageThroughAsync();
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.Superset(ids.ToHashSet(), seen.ToHashSet());
            }
            finally
            {
                foreach (var id in ids) await Farm.Http.PostAsync($"{Jobs}/{id}/cancel", null);
            }
        }
    }

    /// <summary>Every job, page by page along next_offset; checks each page's size in bytes and the offsets.</summary>
    private async Task<List<string>> PageThroughAsync()
    {
        var seen = new List<string>();
        int? offset = 0;
        while (offset is { } at)
        {
            using var r = await Farm.Http.GetAsync($"{Jobs}?limit=100&offset={at}");
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(text.Length <= (1 << 20) + 4096, $"a page of {text.Length} bytes");
            var page = JsonNode.Parse(text)!.AsObject();
            var jobs = page["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).ToList();
            Assert.NotEmpty(jobs);
            seen.AddRange(jobs);
            offset = page["next_offset"]?.GetValue<int>();
            if (offset is { } next) Assert.Equal(at + jobs.Count, next);
            else Assert.Equal(page["total"]!.GetValue<int>(), seen.Count);
        }
        return seen;
    }

    // ================================================================ unknown ids

    [Fact]
    public async Task A_thousand_GETs_and_cancels_of_unknown_ids_write_nothing_and_start_no_job_actor()
    {
        var sharding = DataFile("farm-sharding.db");
        var journal = DataFile("farm.db");
        async Task<int> EntitiesAsync() =>
            (await Farm.Http.GetFromJsonAsync<JsonObject>("api/v1/cluster/sharding"))!["total_entities"]!.GetValue<int>();
        // The query below does see the ids sharding remembers: a real job's id is there.
        var real = await Farm.SubmitAsync(Env.Job());
        await Farm.WaitForEndAsync(real, Timeout);
        Assert.NotEqual(0, await RowsMentioningAsync(sharding, real));

        var shardingRows = await RowsAsync(sharding);
        var entities = await EntitiesAsync();
        var ids = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid().ToString()).ToList();
        using var http = ClientFor(TestTokens.Submitter);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            using var get = await http.GetAsync($"{Jobs}/{id}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        });
        foreach (var id in ids.Take(100))
        {
            using var cancel = await http.PostAsync($"{Jobs}/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
            using var retry = await http.PostAsync($"{Jobs}/{id}/retry", null);
            Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        }

        Assert.Equal(shardingRows, await RowsAsync(sharding));
        foreach (var id in ids.Take(50)) Assert.Equal(0, await RowsMentioningAsync(journal, id)); // a sample: each query scans the journal
        Assert.True(await EntitiesAsync() <= entities, "GETs of unknown ids started job actors");
        // ids of another shape are refused the same way, before any lookup
        foreach (var odd in new[] { ids[0].ToUpperInvariant(), "{" + ids[0] + "}", ids[0].Replace("-", ""), "x" })
        {
            using var r = await http.GetAsync($"{Jobs}/{Uri.EscapeDataString(odd)}");
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
    }

    [Fact]
    public async Task A_job_is_found_right_after_its_202()
    {
        // the queue answers 202 before the job's actor exists: GET must still find it, every time
        await using (await DrainX86Async())
        {
            var ids = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                var id = await Farm.SubmitAsync(Env.Job());
                ids.Add(id);
                Assert.Equal("queued", FarmProcess.Status(await Farm.GetJobAsync(id)));
            }
            foreach (var id in ids) await Farm.Http.PostAsync($"{Jobs}/{id}/cancel", null);
        }
    }

    // ================================================================ ownership

    [Fact]
    public async Task The_same_Idempotency_Key_from_two_tokens_makes_two_jobs_and_reveals_neither()
    {
        await using (await DrainX86Async())
        {
            using var submitter = ClientFor(TestTokens.Submitter);
            using var other = ClientFor(TestTokens.Operator);
            var key = "shared-" + Guid.NewGuid();
            var (s1, mine) = await PostAsync(submitter, Jobs, Env.Job(), key);
            var (s2, theirs) = await PostAsync(other, Jobs, Env.Job(env: new JsonObject { ["OTHER"] = "1" }), key);
            Assert.Equal(HttpStatusCode.Accepted, s1);
            Assert.Equal(HttpStatusCode.Accepted, s2); // a new job, not the submitter's
            Assert.NotEqual(mine["id"]!.GetValue<string>(), theirs["id"]!.GetValue<string>());
            Assert.Equal("test-operator", theirs["submitted_by"]!.GetValue<string>());

            // within one token the key still deduplicates
            var (again, same) = await PostAsync(submitter, Jobs, Env.Job(), key);
            Assert.Equal(HttpStatusCode.OK, again);
            Assert.Equal(mine["id"]!.GetValue<string>(), same["id"]!.GetValue<string>());

            foreach (var id in new[] { mine, theirs }.Select(j => j["id"]!.GetValue<string>()))
                await Farm.Http.PostAsync($"{Jobs}/{id}/cancel", null);
        }
    }

    [Fact]
    public async Task A_submitter_may_not_cancel_or_retry_another_tokens_job_but_an_operator_may_cancel_any()
    {
        using var submitter = ClientFor(TestTokens.Submitter);
        string othersQueued, othersEnded;
        await using (await DrainX86Async())
        {
            othersQueued = await Farm.SubmitAsync(Env.Job()); // the fixture's client is the operator token
            var (cancel, problem) = await PostAsync(submitter, $"{Jobs}/{othersQueued}/cancel", null);
            Assert.Equal(HttpStatusCode.Forbidden, cancel);
            Assert.Equal(["submitted_by"], Fields(problem));
            Assert.Equal("queued", FarmProcess.Status(await Farm.GetJobAsync(othersQueued)));

            // its own job: allowed
            var (_, own) = await PostAsync(submitter, Jobs, Env.Job());
            var (ownCancel, _) = await PostAsync(submitter, $"{Jobs}/{own["id"]!.GetValue<string>()}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, ownCancel);

            // the operator cancels anyone's
            var (opCancel, _) = await PostAsync(Farm.Http, $"{Jobs}/{othersQueued}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, opCancel);
            othersEnded = othersQueued;
        }
        var (retry, retryProblem) = await PostAsync(submitter, $"{Jobs}/{othersEnded}/retry", null);
        Assert.Equal(HttpStatusCode.Forbidden, retry);
        Assert.Equal(["submitted_by"], Fields(retryProblem));
    }

    [Fact]
    public async Task A_retry_by_anyone_but_the_owner_never_carries_the_owners_secrets()
    {
        const string secret = "owner-secret-value-1234";
        using var owner = ClientFor(TestTokens.Submitter);
        var job = Env.Job(env: new JsonObject { ["OWNER_TOKEN"] = secret });
        job["build_config"]!["secret_env"] = new JsonArray("OWNER_TOKEN");
        string id;
        await using (await DrainX86Async())
        {
            var (status, body) = await PostAsync(owner, Jobs, job);
            Assert.Equal(HttpStatusCode.Accepted, status);
            id = body["id"]!.GetValue<string>();
            await PostAsync(owner, $"{Jobs}/{id}/cancel", null);
        }
        var queueRows = await RowsMentioningAsync(DataFile("farm-queue.db"), secret);
        Assert.True(queueRows > 0);

        // the operator may not run it again with the owner's secret
        var (opRetry, problem) = await PostAsync(Farm.Http, $"{Jobs}/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, opRetry);
        Assert.Equal("build_config.secret_env", problem["field"]!.GetValue<string>());
        Assert.DoesNotContain(secret, problem.ToJsonString());
        Assert.Equal(queueRows, await RowsMentioningAsync(DataFile("farm-queue.db"), secret)); // nothing queued with it

        // the owner may
        await using (await DrainX86Async())
        {
            var (ownRetry, again) = await PostAsync(owner, $"{Jobs}/{id}/retry", null);
            Assert.Equal(HttpStatusCode.Accepted, ownRetry);
            Assert.Equal("test-submitter", again["submitted_by"]!.GetValue<string>());
            await PostAsync(owner, $"{Jobs}/{again["id"]!.GetValue<string>()}/cancel", null);
        }
    }

    // ================================================================ webhooks of a job cancelled while queued

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string? Event, JsonObject Body)> _calls = new();
    private Task? _serving;

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening) _listener.Stop();
        if (_serving is not null) await _serving;
        _listener.Close();
    }

    [Fact]
    public async Task A_job_cancelled_while_queued_still_calls_its_webhooks()
    {
        var port = FreePort.Get("127.0.0.1");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                using var reader = new StreamReader(ctx.Request.InputStream);
                _calls.Enqueue((ctx.Request.Url!.AbsolutePath, ctx.Request.Headers["X-KernelFarm-Event"], JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject()));
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });

        var job = Env.Job();
        job["webhooks"] = new JsonArray(
            new JsonObject { ["url"] = $"http://127.0.0.1:{port}/cancelled", ["events"] = new JsonArray("cancelled") },
            new JsonObject { ["url"] = $"http://127.0.0.1:{port}/completed-only", ["events"] = new JsonArray("completed") });
        string id;
        await using (await DrainX86Async())
        {
            id = await Farm.SubmitAsync(job);
            var (status, _) = await PostAsync(Farm.Http, $"{Jobs}/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, status);
        }

        var ended = await Farm.WaitForAsync(id, j => j["webhook_deliveries"]?.AsArray().Count >= 1, Timeout);
        Assert.Equal("cancelled", FarmProcess.Status(ended));
        var call = Assert.Single(_calls);
        Assert.Equal("/cancelled", call.Path);
        Assert.Equal("cancelled", call.Event);
        Assert.Equal(id, call.Body["job_id"]!.GetValue<string>());
        Assert.True(Assert.Single(ended["webhook_deliveries"]!.AsArray())!["delivered"]!.GetValue<bool>());
    }
}
