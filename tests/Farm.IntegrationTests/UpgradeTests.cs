using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.IntegrationTests.Upgrade;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Today's farm starts on the journal and storage an earlier release left (tests/fixtures/upgrade/&lt;release&gt;,
/// written by scripts/make-upgrade-fixture.sh) and shows what that release showed: job history, failure
/// kinds, artifacts (downloadable, same sha256), the server registry with its drained server; and the
/// job that release left queued runs once the server is undrained. One row per fixture folder.
/// </summary>
public sealed class UpgradeTests
{
    private static readonly string Fixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../tests/fixtures/upgrade"));

    /// <summary>What a server was registered with (and whether it drains): the probe's live findings may differ.</summary>
    private static readonly string[] RegistrationFields =
    [
        "id", "hostname", "ip_address", "ssh_username", "ssh_port", "ssh_key_path", "ssh_host_key_fingerprint", "supported_architectures",
        "toolchains", "total_cpu_cores", "total_memory_mb", "total_storage_gb", "max_concurrent_jobs", "workspace_root", "draining", "registered_at",
    ];

    private static readonly string[] JobFields = ["id", "status", "server_id", "toolchain", "artifact_directory", "artifacts", "created_at", "updated_at"];

    public static TheoryData<string> Releases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(Fixtures).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public async Task The_farm_takes_over_what_a_release_left(string release)
    {
        var fixture = Path.Combine(Fixtures, release);
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture, "expected.json")))!.AsObject();

        // the release's files at the paths its journal names (docs/upgrading.md: paths are kept across an upgrade)
        UpgradeRig.Clear(release);
        var root = UpgradeRig.RootOf(release);
        UpgradeFixtureWriter.CopyTree(Path.Combine(fixture, "data"), Path.Combine(root, "node", "data"));
        UpgradeFixtureWriter.CopyTree(Path.Combine(fixture, "artifacts"), Path.Combine(root, "node", "artifacts"));
        UpgradeFixtureWriter.CopyTree(Path.Combine(fixture, "keys"), Path.Combine(root, "keys"));
        await using var rig = await UpgradeRig.StartAsync(release);
        Assert.Equal(expected["node_directory"]!.GetValue<string>(), rig.NodeDirectory);
        Assert.Equal(expected["repository"]!.GetValue<string>(), rig.RepoUrl);

        await using var farm = await FarmProcess.StartAsync(rig.NodeDirectory);

        // the server registry, the drained server included
        var servers = (await farm.Http.GetFromJsonAsync<JsonObject>("api/v1/infrastructure/build-servers"))!["servers"]!.AsArray();
        var expectedServers = expected["servers"]!["servers"]!.AsArray();
        Assert.Equal(Ids(expectedServers), Ids(servers));
        foreach (var want in expectedServers)
            AssertSameFields(want!.AsObject(), servers.Single(s => s!["id"]!.GetValue<string>() == want["id"]!.GetValue<string>())!.AsObject(), RegistrationFields);
        Assert.Contains(servers, s => s!["draining"]!.GetValue<bool>());

        // job history: every job, its status, failure and artifacts, in the list and one by one
        var jobs = expected["jobs"]!.AsObject();
        // the list is the job index, which reads the journal after the farm is up: wait until it has them all
        var ids = jobs.Select(j => j.Value!["id"]!.GetValue<string>()).ToHashSet();
        var list = await Eventually.ValueAsync(
            async () => (await farm.Http.GetFromJsonAsync<JsonObject>("api/v1/infrastructure/build-jobs?limit=1000"))!["jobs"]!.AsArray(),
            l => ids.IsSubsetOf(l.Select(j => j!["id"]!.GetValue<string>())), TimeSpan.FromSeconds(60), "the job list to show every job of the release");
        foreach (var (role, node) in jobs)
        {
            var want = node!.AsObject();
            var id = want["id"]!.GetValue<string>();
            var listed = list.SingleOrDefault(j => j!["id"]!.GetValue<string>() == id);
            Assert.True(listed is not null, $"{role} job {id} is not in the job list");
            Assert.Equal(want["status"]!.GetValue<string>(), listed!["status"]!.GetValue<string>());

            var job = await farm.GetJobAsync(id);
            AssertSameFields(want, job, JobFields);
            AssertIncludes(want["failure"], job["failure"], $"{role}.failure");
            Assert.Equal(Statuses(want), Statuses(job));
            AssertIncludes(want["request"], job["request"], $"{role}.request");

            foreach (var artifact in want["artifacts"]!.AsArray())
            {
                var path = artifact!["path"]!.GetValue<string>();
                using var download = await farm.Http.GetAsync($"api/v1/infrastructure/build-jobs/{id}/artifacts/{path}");
                Assert.Equal(HttpStatusCode.OK, download.StatusCode);
                Assert.Equal(artifact["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(await download.Content.ReadAsByteArrayAsync())));
            }
        }
        Assert.Equal(["build"], jobs.Select(j => j.Value!["failure"]?["kind"]?.GetValue<string>()).OfType<string>());
        Assert.Equal(["cancelled", "completed", "completed", "failed", "queued"], jobs.Select(j => j.Value!["status"]!.GetValue<string>()).Order());
        Assert.NotEmpty(await farm.GetLogAsync(jobs["completed_x86"]!["id"]!.GetValue<string>()));

        // the job the release left waiting runs on the server it was waiting for
        var queued = jobs["queued"]!["id"]!.GetValue<string>();
        var drained = servers.Single(s => s!["draining"]!.GetValue<bool>())!["id"]!.GetValue<string>();
        using (var undrain = await farm.Http.PostAsync($"api/v1/infrastructure/build-servers/{drained}/undrain", null))
            Assert.Equal(HttpStatusCode.OK, undrain.StatusCode);
        var done = await farm.WaitForEndAsync(queued, TimeSpan.FromMinutes(3));
        Assert.Equal("completed", FarmProcess.Status(done));
        Assert.Equal(drained, done["server_id"]!.GetValue<string>());
        Artifacts.AssertStorageMatchesRecord(done);

        // the journal now mixes the release's entries with today's: a restart reads both
        await farm.StopAsync(TimeSpan.FromSeconds(60));
        await farm.LaunchAsync();
        Assert.Equal("completed", FarmProcess.Status(await farm.GetJobAsync(queued)));
        Assert.Equal(jobs["failed_build"]!["failure"]!["kind"]!.GetValue<string>(),
            (await farm.GetJobAsync(jobs["failed_build"]!["id"]!.GetValue<string>()))["failure"]!["kind"]!.GetValue<string>());
        var after = (await farm.Http.GetFromJsonAsync<JsonObject>("api/v1/infrastructure/build-servers"))!["servers"]!.AsArray();
        Assert.DoesNotContain(after, s => s!["draining"]!.GetValue<bool>());
        await farm.StopAsync(TimeSpan.FromSeconds(60));
        // the tags the release wrote for its index are gone: every read of the journal scanned them (LegacyJobTags)
        Assert.Equal(0, JobTagsIn(Path.Combine(rig.NodeDirectory, "data", "farm.db")));
        UpgradeRig.Clear(release);
    }

    private static long JobTagsIn(string journal)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT count(*) FROM tags WHERE tag = 'job'";
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> Ids(JsonArray items) => items.Select(i => i!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    private static List<string> Statuses(JsonObject job) => job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToList();

    /// <summary>Every value the release showed is still there (a later release may show more fields).</summary>
    private static void AssertIncludes(JsonNode? expected, JsonNode? actual, string where)
    {
        if (expected is JsonObject want && actual is JsonObject got)
            foreach (var (name, value) in want) AssertIncludes(value, got[name], $"{where}.{name}");
        else
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{where}: {actual?.ToJsonString() ?? "missing"} (was {expected?.ToJsonString() ?? "missing"})");
    }

    /// <summary>The same values; times as instants (a release may print an offset differently).</summary>
    private static void AssertSameFields(JsonObject expected, JsonObject actual, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            var (want, got) = (expected[field], actual[field]);
            var same = field.EndsWith("_at", StringComparison.Ordinal) && want is not null && got is not null
                ? DateTimeOffset.Parse(want.GetValue<string>()) == DateTimeOffset.Parse(got.GetValue<string>())
                : JsonNode.DeepEquals(want, got);
            Assert.True(same, $"{expected["id"]}.{field}: {got?.ToJsonString() ?? "missing"} (was {want?.ToJsonString() ?? "missing"})");
        }
    }
}
