using System.Text.Json.Nodes;
using Akka.Actor;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Serialization.Journal;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KernelFarm.Tests.Serialization;

/// <summary>
/// Every event that an earlier release wrote into its upgrade fixture (tests/fixtures/upgrade/&lt;release&gt;/data)
/// reads with today's serializer, and reads the same once written again in today's format. The fast half of
/// KernelFarm.IntegrationTests.UpgradeTests, which starts the farm on the same files.
/// </summary>
public sealed class ReleaseJournalTests : ActorTest
{
    private static readonly string Fixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../tests/fixtures/upgrade"));
    private readonly FarmMessageSerializer _serializer;

    public ReleaseJournalTests() => _serializer = new FarmMessageSerializer((ExtendedActorSystem)Sys);

    public static TheoryData<string> Releases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(Fixtures).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Fact]
    public void There_is_a_fixture_of_release_8457cc2() => Assert.True(Directory.Exists(Path.Combine(Fixtures, "8457cc2", "data")));

    [Theory]
    [MemberData(nameof(Releases))]
    public void Every_event_of_the_release_reads_and_survives_a_rewrite(string release)
    {
        var rows = Rows(release);
        Assert.True(rows.Count >= 20, $"only {rows.Count} farm events in the {release} fixture");
        Assert.Contains(rows, r => r.PersistenceId == "build-queue");
        Assert.Contains(rows, r => r.PersistenceId == "server-pool");

        foreach (var (id, manifest, payload) in rows)
        {
            Assert.True(JournalFormats.TryReader(manifest, out var format), $"{id}: no journal format reads '{manifest}'");
            var read = _serializer.FromBinary(payload, manifest);
            var rewritten = _serializer.ToBinary(read);
            Assert.Equal(Json(read), Json(_serializer.FromBinary(rewritten, _serializer.Manifest(read))));
            // Tolerant reading would hide a renamed contract field (read as its default): while the format is
            // still the shape the release wrote, every value the release wrote must come back out.
            if (format.Manifest.EndsWith(".v1", StringComparison.Ordinal))
                AssertIncludes(JsonNode.Parse(payload), JsonNode.Parse(rewritten), $"{id} {manifest}");
        }
    }

    /// <summary>
    /// A journal written before <see cref="BuildJobEvents.FailureDecided"/> existed: its failed jobs have a Failed
    /// with no decided failure before it, and every job replays to its end state with nothing left pending.
    /// </summary>
    [Theory]
    [MemberData(nameof(Releases))]
    public void Every_job_of_the_release_replays_into_todays_job_state(string release)
    {
        var jobs = Rows(release).Where(r => r.PersistenceId.StartsWith("job-", StringComparison.Ordinal))
            .GroupBy(r => r.PersistenceId)
            .Select(g => g.Aggregate(JobState.Empty, (s, r) => s.Apply((BuildJobEvents.IJobEvent)_serializer.FromBinary(r.Payload, r.Manifest))))
            .ToList();

        Assert.All(jobs, j => Assert.True(j.Exists && j.PendingFailure is null, $"job {j.Id}: {j.Status}, pending {j.PendingFailure}"));
        var failed = Assert.Single(jobs, j => j.Status == JobStatus.Failed);
        Assert.Equal(FailureKind.Build, failed.Failure!.Kind);
        Assert.Contains(jobs, j => j.Status == JobStatus.Completed);
    }

    private static List<(string PersistenceId, string Manifest, byte[] Payload)> Rows(string release)
    {
        var rows = new List<(string PersistenceId, string Manifest, byte[] Payload)>();
        foreach (var db in Directory.EnumerateFiles(Path.Combine(Fixtures, release, "data"), "*.db").Where(f => !f.EndsWith("-sharding.db", StringComparison.Ordinal)))
        {
            // a read-only connection: the checked-in files stay as the release left them
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT persistence_id, manifest, payload FROM event_journal WHERE serializer_id = 4711 ORDER BY ordering";
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), (byte[])reader[2]));
        }
        return rows;
    }

    private static void AssertIncludes(JsonNode? written, JsonNode? rewritten, string where)
    {
        switch (written)
        {
            case JsonObject o when rewritten is JsonObject r:
                foreach (var (name, value) in o) AssertIncludes(value, r[name], $"{where}.{name}");
                break;
            case JsonArray a when rewritten is JsonArray r && a.Count == r.Count:
                for (var i = 0; i < a.Count; i++) AssertIncludes(a[i], r[i], $"{where}[{i}]");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(written, rewritten), $"{where}: {rewritten?.ToJsonString() ?? "lost"} (written {written?.ToJsonString()})");
                break;
        }
    }

    private static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o, o.GetType(), FarmJson.Options);
}
