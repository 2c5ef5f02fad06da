using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using Xunit;
using Generated = KernelFarm.IntegrationTests.Generated;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// The one wire contract: the OpenAPI document describes every request and answer (from the records
/// the host returns), the checked-in copy (docs/openapi.json) is what the farm serves, the answers fit
/// their schemas, and a client NSwag generated from the copy submits a job and reads it back.
/// </summary>
public sealed partial class ApiTests
{
    /// <summary>The routes that read a JSON body (JsonBody.ReadAsync or the sign-in).</summary>
    private static readonly HashSet<string> BodyRoutes =
    [
        "post /api/v1/infrastructure/build-jobs",
        "post /api/v1/infrastructure/build-servers",
        "post /api/v1/cluster/leave",
        "post /api/v1/cluster/down",
        "post /api/v1/cluster/join",
        "post /dashboard/session",
        "post /api/v1/plans", // a TuxSuite plan's text (YAML, or JSON)
        "post /api/v1/series",
        "post /api/v1/bisections",
    ];

    private static readonly string CheckedInDocument =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs/openapi.json"));

    private async Task<JsonObject> ServedDocumentAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = Farm.Http.BaseAddress };
        return JsonNode.Parse(await anonymous.GetStringAsync("openapi/v1.json"))!.AsObject();
    }

    [Fact]
    public async Task Every_endpoint_documents_its_request_body_its_answers_and_its_problems()
    {
        var doc = await ServedDocumentAsync();
        var withBody = new HashSet<string>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
        foreach (var (method, op) in item!.AsObject())
        {
            var name = $"{method} {path}";
            if (op!["requestBody"]?["content"]?["application/json"]?["schema"] is not null) withBody.Add(name);
            var responses = op["responses"]!.AsObject();
            Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{name}: no success answer");
            foreach (var (status, response) in responses)
            {
                if (status == "204") continue;
                var content = response!["content"]?.AsObject();
                Assert.True(content is { Count: > 0 }, $"{name} {status}: no content");
                Assert.All(content!, c => Assert.NotNull(c.Value!["schema"]));
                if (status.StartsWith('4') || (status.StartsWith('5') && !path.StartsWith("/healthz")))
                    Assert.Equal("#/components/schemas/ProblemDetails", content!["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>());
            }
        }
        Assert.Equal(BodyRoutes.Order(), withBody.Order());
        Assert.Equal("#/components/schemas/BuildJobRequest",
            doc["paths"]!["/api/v1/infrastructure/build-jobs"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_schemas_use_the_APIs_snake_case_names_and_refuse_unknown_fields()
    {
        var schemas = (await ServedDocumentAsync())["components"]!["schemas"]!.AsObject();
        foreach (var (name, schema) in schemas)
        foreach (var (property, _) in schema!["properties"]?.AsObject() ?? [])
            Assert.Matches(SnakeCase(), property);
        Assert.True(schemas["BuildJobRequest"]!["properties"]!.AsObject().ContainsKey("target_architecture"));
        Assert.False(schemas["BuildJobRequest"]!["additionalProperties"]!.GetValue<bool>());
        Assert.Contains("cancelled", schemas["JobStatus"]!["enum"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task The_checked_in_document_is_the_one_the_farm_serves()
    {
        var served = await ServedDocumentAsync();
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInDocument));
        if (!JsonNode.DeepEquals(served, checkedIn))
        {
            var fresh = Path.Combine(Env.Root.Path, "openapi.json");
            await File.WriteAllTextAsync(fresh, served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Assert.Fail($"docs/openapi.json differs from what the farm serves: copy {fresh} over it (and rebuild, the client is generated from it)");
        }
    }

    [Fact]
    public async Task Answers_have_the_fields_their_schemas_list()
    {
        var schemas = (await ServedDocumentAsync())["components"]!["schemas"]!.AsObject();
        using var submitted = await Farm.Http.PostAsync(Jobs, System.Net.Http.Json.JsonContent.Create(Env.Job()));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!.AsObject();
        var id = job["id"]!.GetValue<string>();
        await Farm.WaitForEndAsync(id, Timeout);

        foreach (var (url, schema) in new[]
        {
            ($"{Jobs}/{id}", "BuildJobView"),
            (Jobs, "BuildJobPage"),
            ($"{Jobs}/{id}/artifacts", "ArtifactList"),
            ("api/v1/infrastructure/build-servers", "BuildServerList"),
            ("api/v1/infrastructure/build-servers/x86", "BuildServerView"),
            ("api/v1/catalog", "FarmCatalog"),
            ("api/v1/stats", "FarmStats"),
            ("api/v1/whoami", "SessionInfo"),
            ("api/v1/cluster", "ClusterMembership"),
        })
        {
            var answer = JsonNode.Parse(await Farm.Http.GetStringAsync(url))!.AsObject();
            var properties = schemas[schema]!["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
            var required = schemas[schema]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];
            Assert.True(answer.Select(p => p.Key).All(properties.Contains), $"{url}: fields the schema {schema} lacks: {string.Join(", ", answer.Select(p => p.Key).Where(k => !properties.Contains(k)))}");
            Assert.All(required, r => Assert.True(answer.ContainsKey(r), $"{url}: required {r} missing"));
        }
    }

    [Fact]
    public async Task The_catalog_lists_the_profiles_with_what_the_registered_servers_offer()
    {
        var catalog = JsonNode.Parse(await Farm.Http.GetStringAsync("api/v1/catalog"))!.AsObject();
        var x86 = catalog["architectures"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "x86_64")!;
        Assert.Equal(["x86"], x86["servers"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["gcc-12"], x86["toolchains"]!.AsArray().Select(s => s!.GetValue<string>()));
        var gcc = catalog["toolchains"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "gcc-12")!;
        Assert.Equal(["arm64", "i386", "x86_64"], gcc["architectures"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("cancelled", catalog["statuses"]!.AsArray().Where(s => s!["terminal"]!.GetValue<bool>()).Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal(1000, catalog["limits"]!["max_queue_size"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_generated_from_the_document_submits_a_job_and_reads_it_back()
    {
        using var http = new HttpClient { BaseAddress = Farm.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.Submitter);
        var client = new Generated.FarmApiClient(http);

        var catalog = await client.GetCatalogAsync();
        var arch = catalog.Architectures.First(a => a.Servers.Count > 0 && a.Name == "x86_64");
        var submitted = await client.SubmitBuildJobAsync(new Generated.BuildJobRequest
        {
            Source_repository = Env.RepoUrl,
            Target_architecture = arch.Name,
            Build_config = new Generated.BuildConfig { Kernel_config = "tinyconfig", Targets = [.. arch.Default_targets] },
        });
        Assert.Equal(Generated.JobStatus.Queued, submitted.Status);

        await Farm.WaitForEndAsync(submitted.Id, Timeout);
        var job = await client.GetBuildJobAsync(submitted.Id);
        Assert.Equal(Generated.JobStatus.Completed, job.Status);
        Assert.Equal(Env.RepoUrl, job.Source_repository);
        Assert.Equal("x86", job.Server_id);
        var artifacts = await client.ListBuildJobArtifactsAsync(submitted.Id);
        Assert.NotEmpty(artifacts.Artifacts);
        Assert.All(artifacts.Artifacts, a => Assert.Equal(64, a.Sha256.Length));

        // A refusal is the documented problem, typed.
        var refused = await Assert.ThrowsAsync<Generated.ApiException<Generated.ProblemDetails>>(() =>
            client.SubmitBuildJobAsync(new Generated.BuildJobRequest { Source_repository = Env.RepoUrl, Target_architecture = "vax" }));
        Assert.Equal(400, refused.StatusCode);
        Assert.Contains(refused.Result.Errors!, e => e.Field == "target_architecture");
    }

    [GeneratedRegex("^[a-z0-9]+(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
