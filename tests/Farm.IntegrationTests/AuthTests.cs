using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// API tokens over a real host process: every endpoint × every kind of caller, 401/403 answers,
/// tokens and SSH private keys never in the log, answers or job records, submitted_by, secret_env
/// masking, development mode and refusing to start without tokens.
/// </summary>
public sealed partial class AuthTests(FarmFixture fixture) : IClassFixture<FarmFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const string Jobs = "/api/v1/infrastructure/build-jobs";
    private const string Servers = "/api/v1/infrastructure/build-servers";
    private static readonly string NoSuchJob = Guid.NewGuid().ToString();
    private const string NoSuchServer = "no-such-server";
    private const string Plans = "/api/v1/plans";
    private static readonly string NoSuchPlan = Guid.NewGuid().ToString();
    private const string Series = "/api/v1/series";
    private const string Bisections = "/api/v1/bisections";
    private static readonly string BadToken = TestTokens.NewToken();

    private FarmProcess Farm => fixture.Env.Farm;

    /// <summary>One API endpoint and the least role that may call it (null: anyone, no token needed).</summary>
    public sealed record Endpoint(string Method, string Template, string? Role, string? Body = null, bool Streams = false)
    {
        public string Path => Template.Replace($"{Jobs}/{{id}}", $"{Jobs}/{NoSuchJob}")
            .Replace($"{Servers}/{{id}}", $"{Servers}/{NoSuchServer}").Replace($"{Plans}/{{id}}", $"{Plans}/{NoSuchPlan}")
            .Replace($"{Series}/{{id}}", $"{Series}/{NoSuchJob}").Replace($"{Bisections}/{{id}}", $"{Bisections}/{NoSuchPlan}").Replace("{path}", "vmlinux");

        public override string ToString() => $"{Method} {Template}";
    }

    /// <summary>
    /// Every endpoint of the API. Requests are harmless when allowed: unknown ids (404) and empty
    /// bodies (400), so the same host serves every row.
    /// </summary>
    public static readonly IReadOnlyList<Endpoint> Table =
    [
        new("GET", Jobs, "viewer"),
        new("POST", Jobs, "submitter", "{}"),
        new("GET", $"{Jobs}/{{id}}", "viewer"),
        new("POST", $"{Jobs}/{{id}}/cancel", "submitter"),
        new("POST", $"{Jobs}/{{id}}/retry", "submitter"),
        new("GET", $"{Jobs}/{{id}}/log", "viewer"),
        new("GET", $"{Jobs}/{{id}}/artifacts", "viewer"),
        new("GET", $"{Jobs}/{{id}}/artifacts/{{path}}", "viewer"),
        new("GET", Servers, "viewer"),
        new("POST", Servers, "operator", "{}"),
        new("GET", $"{Servers}/{{id}}", "viewer"),
        new("POST", $"{Servers}/{{id}}/drain", "operator"),
        new("POST", $"{Servers}/{{id}}/undrain", "operator"),
        new("POST", $"{Servers}/{{id}}/probe", "operator"),
        new("DELETE", $"{Servers}/{{id}}", "operator"),
        new("GET", "/api/v1/cluster", "operator"),
        new("GET", "/api/v1/cluster/events", "operator", Streams: true),
        new("POST", "/api/v1/cluster/leave", "operator", "{}"),
        new("POST", "/api/v1/cluster/down", "operator", "{}"),
        new("POST", "/api/v1/cluster/join", "operator", "{}"),
        new("GET", "/api/v1/cluster/sharding", "operator"),
        new("GET", "/api/v1/cluster/actors", "operator"),
        new("GET", "/api/v1/stats", "viewer"),
        new("GET", "/api/v1/catalog", "viewer"),
        new("GET", Plans, "viewer"),
        new("POST", Plans, "submitter", "{}"),
        new("GET", $"{Plans}/{{id}}", "viewer"),
        new("POST", $"{Plans}/{{id}}/cancel", "submitter"),
        new("POST", Series, "submitter", "{}"),
        new("GET", $"{Series}/{{id}}", "viewer"),
        new("GET", $"{Series}/{{id}}/report", "viewer"),
        new("POST", Bisections, "submitter", "{}"),
        new("GET", $"{Bisections}/{{id}}", "viewer"),
        new("POST", $"{Bisections}/{{id}}/cancel", "submitter"),
        new("GET", "/api/v1/kcidb", "viewer"),
        new("GET", "/healthz/live", null),
        new("GET", "/healthz/ready", null),
        new("GET", "/healthz/cluster", "viewer"),
        new("GET", "/metrics", null),
        new("GET", "/openapi/v1.json", null),
        new("GET", "/api/v1/whoami", "viewer"),
        new("POST", "/dashboard/session", null, "{}"),   // signing in is how a browser gets a role
        new("GET", "/dashboard/session", null),
        new("DELETE", "/dashboard/session", null),
    ];

    public static TheoryData<string, string> Endpoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var e in Table) data.Add(e.Method, e.Template);
        return data;
    }

    private static readonly string[] Roles = ["viewer", "submitter", "operator"];

    private static string TokenOf(string role) => role switch
    {
        "viewer" => TestTokens.Viewer,
        "submitter" => TestTokens.Submitter,
        _ => TestTokens.Operator,
    };

    private static readonly string[] AllSecrets = [TestTokens.Viewer, TestTokens.Submitter, TestTokens.Operator, BadToken];

    private HttpClient NewClient() => new() { BaseAddress = Farm.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    private sealed record Answer(HttpStatusCode Status, string Body, string? ContentType, string? WwwAuthenticate);

    private static async Task<Answer> SendAsync(HttpClient http, Endpoint e, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path.TrimStart('/'));
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (e.Body is not null) request.Content = new StringContent(e.Body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // A stream that was allowed never ends: its headers are the answer.
        var body = e.Streams && response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType,
            response.Headers.WwwAuthenticate.Count > 0 ? response.Headers.WwwAuthenticate.ToString() : null);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_endpoint_answers_each_caller_as_its_role_allows(string method, string template)
    {
        var e = Table.Single(x => x.Method == method && x.Template == template);
        using var http = NewClient();

        var none = await SendAsync(http, e, null);
        var bad = await SendAsync(http, e, "Bearer " + BadToken);
        var notBearer = await SendAsync(http, e, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + TestTokens.Operator)));
        if (e.Role is null)
        {
            foreach (var a in new[] { none, bad, notBearer }) AssertAllowed(e, "anonymous", a);
        }
        else
        {
            AssertUnauthorized(none, "a bearer token is required", invalidToken: false);
            AssertUnauthorized(bad, "not valid", invalidToken: true);
            AssertUnauthorized(notBearer, "Bearer <token>", invalidToken: true);
        }

        foreach (var role in Roles)
        {
            var a = await SendAsync(http, e, "Bearer " + TokenOf(role));
            if (e.Role is null || Array.IndexOf(Roles, role) >= Array.IndexOf(Roles, e.Role))
            {
                AssertAllowed(e, role, a);
            }
            else
            {
                Assert.True(a.Status == HttpStatusCode.Forbidden, $"{e} as {role}: expected 403, got {(int)a.Status} {a.Body}");
                Assert.Equal("application/problem+json", a.ContentType);
                Assert.Contains($"this token's role '{role}' may not do this; it needs '{e.Role}'", a.Body);
            }
            AssertNoSecret(e, a.Body);
        }
        foreach (var a in new[] { none, bad, notBearer }) AssertNoSecret(e, a.Body);
    }

    private static void AssertAllowed(Endpoint e, string caller, Answer a) =>
        Assert.True(a.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
            $"{e} as {caller}: expected to be allowed, got {(int)a.Status} {a.Body}");

    private static void AssertUnauthorized(Answer a, string detail, bool invalidToken)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, a.Status);
        Assert.Equal("application/problem+json", a.ContentType);
        Assert.Contains(detail, a.Body);
        Assert.NotNull(a.WwwAuthenticate);
        Assert.StartsWith("Bearer", a.WwwAuthenticate);
        Assert.Equal(invalidToken, a.WwwAuthenticate!.Contains("invalid_token"));
    }

    private static void AssertNoSecret(Endpoint e, string body)
    {
        foreach (var s in AllSecrets) Assert.False(body.Contains(s, StringComparison.Ordinal), $"{e}: a token appears in the answer");
    }

    [Fact]
    public async Task The_table_covers_every_route_the_OpenAPI_document_lists()
    {
        using var http = NewClient(); // anonymous: the document needs no token
        var doc = JsonNode.Parse(await http.GetStringAsync("openapi/v1.json"))!.AsObject();
        var listed = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {Normalize(p.Key)}"))
            .ToHashSet();
        var table = Table.Select(e => $"{e.Method} {Normalize(e.Template)}").ToHashSet();
        Assert.NotEmpty(listed);
        var missing = listed.Except(table).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "endpoints without a row in AuthTests.Table (decide their role): " + string.Join(", ", missing));
    }

    private static string Normalize(string template) => RouteParameter().Replace(template, "{}");

    [Fact]
    public async Task A_route_nobody_mapped_a_policy_for_is_operator_only()
    {
        using var http = NewClient();
        var e = new Endpoint("GET", "/api/v1/not-an-endpoint", "operator");
        AssertUnauthorized(await SendAsync(http, e, null), "a bearer token is required", invalidToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, e, "Bearer " + TestTokens.Submitter)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, e, "Bearer " + TestTokens.Operator)).Status);
    }

    [Fact]
    public async Task A_job_records_the_name_of_the_token_that_submitted_it_never_the_token()
    {
        using var http = NewClient();
        http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Submitter);
        using var r = await http.PostAsJsonAsync(Jobs.TrimStart('/'), fixture.Env.Job());
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, text);
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        Assert.Equal("test-submitter", JsonNode.Parse(text)!["submitted_by"]!.GetValue<string>());

        http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Viewer);
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        var shown = await http.GetStringAsync($"{Jobs.TrimStart('/')}/{id}");
        Assert.Equal("test-submitter", JsonNode.Parse(shown)!["submitted_by"]!.GetValue<string>());
        // the list comes from the job index, which may trail the job's own record by a batch
        var listed = await Eventually.ValueAsync(async () => JsonNode.Parse(await http.GetStringAsync(Jobs.TrimStart('/')))!["jobs"]!.AsArray(),
            jobs => jobs.Any(j => j!["id"]!.GetValue<string>() == id), TimeSpan.FromSeconds(30), "the job index to list the job");
        Assert.Contains(listed, j => j!["id"]!.GetValue<string>() == id && j["submitted_by"]!.GetValue<string>() == "test-submitter");

        // Retried by the operator: the new job is the operator's.
        using var retry = await Farm.Http.PostAsync($"{Jobs.TrimStart('/')}/{id}/retry", null);
        var retried = await retry.Content.ReadAsStringAsync();
        Assert.True(retry.StatusCode == HttpStatusCode.Accepted, retried);
        Assert.Equal("test-operator", JsonNode.Parse(retried)!["submitted_by"]!.GetValue<string>());
        await Farm.WaitForEndAsync(JsonNode.Parse(retried)!["id"]!.GetValue<string>(), Timeout);

        foreach (var answer in new[] { text, shown, listed.ToJsonString(), retried }) AssertNoSecret(new Endpoint("GET", Jobs, "viewer"), answer);
    }

    /// <summary>An attack on result reuse: another token submits exactly the inputs of someone's build to get its files.</summary>
    [Fact]
    public async Task A_result_is_reused_only_for_the_token_that_built_it()
    {
        var commit = fixture.Env.Tree.HeadCommit;
        var marker = Guid.NewGuid().ToString("N"); // these inputs are this test's alone
        JsonObject Job()
        {
            var job = fixture.Env.Job(env: new JsonObject { ["REUSE_MARKER"] = marker });
            (job["commit_hash"], job["toolchain"]) = (commit, "gcc-12");
            return job;
        }
        async Task<JsonObject> RunAsAsync(string token)
        {
            using var http = NewClient();
            http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(token);
            using var r = await http.PostAsJsonAsync(Jobs.TrimStart('/'), Job());
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.Accepted, text);
            var job = await Farm.WaitForEndAsync(JsonNode.Parse(text)!["id"]!.GetValue<string>(), Timeout);
            Assert.Equal("completed", FarmProcess.Status(job));
            return job;
        }
        async Task IndexedAsync(string id) => await Eventually.ValueAsync(
            async () => JsonNode.Parse(await Farm.Http.GetStringAsync($"{Jobs.TrimStart('/')}?status=completed&limit=200"))!["jobs"]!.AsArray(),
            jobs => jobs.Any(j => j!["id"]!.GetValue<string>() == id), TimeSpan.FromSeconds(30), "the job index to list the build");

        var built = await RunAsAsync(TestTokens.Submitter);
        var builtId = built["id"]!.GetValue<string>();
        Assert.Null(built["reused_from"]);
        await IndexedAsync(builtId);

        var other = await RunAsAsync(TestTokens.Operator); // even an operator's identical job builds for itself
        Assert.Null(other["reused_from"]);
        Assert.Single(other["attempts"]!.AsArray());
        Assert.NotEqual(built["artifact_directory"]!.GetValue<string>(), other["artifact_directory"]!.GetValue<string>());

        var again = await RunAsAsync(TestTokens.Submitter);
        Assert.Equal(builtId, again["reused_from"]?.GetValue<string>());
        Assert.Empty(again["attempts"]!.AsArray());
    }

    [Fact]
    public async Task A_client_cannot_set_submitted_by()
    {
        var body = fixture.Env.Job();
        body["submitted_by"] = "someone-else";
        var (status, answer) = await Farm.PostJobAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(answer["errors"]!.AsArray(), e => e!["field"]!.GetValue<string>() == "submitted_by");
    }

    [Fact]
    public async Task Secret_env_values_are_masked_in_the_log_and_in_job_views_but_reach_the_build()
    {
        var secret = "s3cret-" + TestTokens.NewToken()[..16];
        var body = fixture.Env.Job(env: new JsonObject { ["KFARM_TEST_ECHO"] = secret, ["PLAIN"] = "visible-value" });
        body["build_config"]!["secret_env"] = new JsonArray("KFARM_TEST_ECHO");
        var (status, accepted) = await Farm.PostJobAsync(body);
        Assert.True(status == HttpStatusCode.Accepted, accepted.ToJsonString());
        Assert.Equal("***", accepted["build_config"]!["custom_env"]!["KFARM_TEST_ECHO"]!.GetValue<string>());
        Assert.Equal("visible-value", accepted["build_config"]!["custom_env"]!["PLAIN"]!.GetValue<string>());
        Assert.Equal("KFARM_TEST_ECHO", Assert.Single(accepted["build_config"]!["secret_env"]!.AsArray())!.GetValue<string>());

        var id = accepted["id"]!.GetValue<string>();
        var job = await Farm.WaitForEndAsync(id, Timeout);
        Assert.Equal("completed", FarmProcess.Status(job));

        var log = await Farm.GetLogAsync(id);
        Assert.Contains("echo: " + new string('*', secret.Length) + "\n", log); // the build saw the value; the log shows its length in stars
        Assert.DoesNotContain(secret, log);
        var published = await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "build.log"));
        Assert.DoesNotContain(secret, published);
        // The artifact itself is what the build made: the value reached it verbatim.
        Assert.Contains("KFARM_TEST_ECHO=" + secret, await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "vmlinux")));

        Assert.DoesNotContain(secret, job.ToJsonString());
        Assert.DoesNotContain(secret, await Farm.Http.GetStringAsync(Jobs.TrimStart('/')));
        Assert.DoesNotContain(secret, File.ReadAllText(Farm.LogPath));
    }

    [Fact]
    public async Task Tokens_and_ssh_private_keys_never_appear_in_the_host_log_or_in_answers()
    {
        using var http = NewClient();
        // every kind of caller at least once, successful and refused
        foreach (var token in AllSecrets)
        {
            foreach (var path in new[] { Jobs, Servers, "/healthz/cluster", "/api/v1/cluster" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
                request.Headers.Authorization = TestTokens.Bearer(token);
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                AssertNoSecret(new Endpoint("GET", path, null), text);
            }
        }
        var servers = await Farm.Http.GetStringAsync(Servers.TrimStart('/'));

        var log = File.ReadAllText(Farm.LogPath);
        Assert.Contains("Request starting", log); // requests are logged: the check below means something
        foreach (var s in AllSecrets) Assert.False(log.Contains(s, StringComparison.Ordinal), "a token appears in the host log");

        var keyLines = File.ReadAllLines(fixture.Env.X86.PrivateKeyPath).Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keyLines);
        foreach (var line in keyLines)
        {
            Assert.False(log.Contains(line, StringComparison.Ordinal), "the SSH private key appears in the host log");
            Assert.False(servers.Contains(line, StringComparison.Ordinal), "the SSH private key appears in a server view");
        }
        // the key's path is configuration, not a secret: it is shown
        Assert.Contains(fixture.Env.X86.PrivateKeyPath, servers);
    }

    [Fact]
    public async Task Development_mode_serves_without_tokens_and_says_so_on_every_answer_and_in_the_log()
    {
        using var root = TempDirectory.Create("auth-dev");
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"),
            new Dictionary<string, string> { ["Farm__Auth__Disabled"] = "true" });
        using var http = new HttpClient { BaseAddress = farm.Http.BaseAddress };

        foreach (var (method, path, expected) in new[]
                 {
                     ("GET", "api/v1/infrastructure/build-jobs", HttpStatusCode.OK),
                     ("DELETE", "api/v1/infrastructure/build-servers/none", HttpStatusCode.NotFound), // operator-only, allowed
                     ("GET", "api/v1/cluster", HttpStatusCode.OK),
                     ("GET", "healthz/live", HttpStatusCode.OK),
                     ("GET", "no/such/route", HttpStatusCode.NotFound),
                 })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("disabled", Assert.Single(response.Headers.GetValues("X-KernelFarm-Auth")));
        }
        Assert.Contains("AUTHENTICATION IS DISABLED", File.ReadAllText(farm.LogPath));
        Assert.Matches(new Regex(@"warn: .*\n\s+AUTHENTICATION IS DISABLED"), File.ReadAllText(farm.LogPath));
    }

    [Fact]
    public async Task With_tokens_no_answer_carries_the_development_header()
    {
        using var response = await Farm.Http.GetAsync("api/v1/infrastructure/build-jobs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-KernelFarm-Auth"));
        Assert.DoesNotContain("AUTHENTICATION IS DISABLED", File.ReadAllText(Farm.LogPath));
    }

    [Fact]
    public async Task Without_tokens_the_host_refuses_to_start_and_says_how_to_configure_them()
    {
        using var root = TempDirectory.Create("auth-none");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => FarmProcess.StartAsync(Path.Combine(root.Path, "node"),
            new Dictionary<string, string> { ["Farm__Auth__Disabled"] = "false" }));
        Assert.Contains("farm host exited", e.Message);
        Assert.Contains("Farm__Auth__Tokens__0__Sha256", e.Message);
        Assert.Contains("Farm__Auth__Disabled=true", e.Message);
    }

    [Fact]
    public async Task A_bad_token_entry_is_named_and_the_host_refuses_to_start()
    {
        using var root = TempDirectory.Create("auth-bad");
        var token = "kf_" + TestTokens.NewToken();
        var env = new Dictionary<string, string>(TestTokens.Configure(("ci", "submitter", TestTokens.NewToken()), ("ops", "admin", token)))
        {
            ["Farm__Auth__Tokens__1__Sha256"] = token, // the token pasted in place of its hash
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => FarmProcess.StartAsync(Path.Combine(root.Path, "node"), env));
        Assert.Contains("Farm__Auth__Tokens__1__Role 'admin' is not a role", e.Message);
        Assert.Contains("Farm__Auth__Tokens__1__Sha256 must be the token's SHA-256", e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();
}
