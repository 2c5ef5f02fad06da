using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using KernelFarm.Messages;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Serialization.Journal;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Serialization;

/// <summary>What the farm persists: own contracts, short stable manifests, tolerant reading (docs/upgrading.md).</summary>
public sealed class JournalFormatsTests : ActorTest
{
    private readonly FarmMessageSerializer _serializer;

    public JournalFormatsTests() => _serializer = new FarmMessageSerializer((ExtendedActorSystem)Sys);

    private static readonly Type[] EventGroups = [typeof(BuildJobEvents), typeof(QueueEvents), typeof(ServerPoolEvents), typeof(PlanEvents), typeof(BisectionEvents)];

    /// <summary>Snapshot states are persisted too (and replace the events they cover).</summary>
    private static readonly Type[] Snapshots = [typeof(QueueSnapshot), typeof(PoolSnapshot)];

    /// <summary>Events that release 8457cc2 did not have: no type-name manifest of theirs was ever written.</summary>
    private static readonly Type[] EventsAfter8457cc2 =
        [typeof(BuildJobEvents.FailureDecided), typeof(PlanEvents.Accepted), typeof(PlanEvents.BuildQueued), typeof(PlanEvents.CancelRequested), typeof(PlanEvents.Ended),
         typeof(PlanEvents.WebhookDone), typeof(BuildJobEvents.KcidbDelivered),
         .. typeof(BisectionEvents).GetNestedTypes().Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })];

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var f in JournalFormats.All.Where(f => f.Writes)) data.Add(f.Manifest);
        return data;
    }

    private static JournalFormat Format(string manifest) => JournalFormats.All.Single(f => f.Manifest == manifest);

    private static object Sample(JournalFormat f) => FarmMessageSerializerTests.Samples[f.DomainType]();

    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), FarmJson.Options);

    private object Read(string json, string manifest) => _serializer.FromBinary(Encoding.UTF8.GetBytes(json), manifest);

    [Fact]
    public void Every_persisted_event_has_a_journal_format()
    {
        var events = EventGroups.SelectMany(g => g.GetNestedTypes())
            .Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }).ToHashSet();
        Assert.Equal(36, events.Count);
        events.UnionWith(Snapshots);
        Assert.Equal(events.OrderBy(t => t.FullName), JournalFormats.All.Where(f => f.Writes).Select(f => f.DomainType).OrderBy(t => t.FullName));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Persisted_event_round_trips_through_its_journal_contract(string manifest)
    {
        var sample = Sample(Format(manifest));
        Assert.Equal(manifest, _serializer.Manifest(sample));
        var back = _serializer.FromBinary(_serializer.ToBinary(sample), manifest);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(Json(sample), Json(back)); // samples set every field: a field the mapping drops shows here
    }

    /// <summary>What releases up to 8457cc2 persisted: every event (snapshots came later).</summary>
    public static TheoryData<string> ManifestsOf8457cc2()
    {
        var data = new TheoryData<string>();
        foreach (var f in JournalFormats.All.Where(f => f.Writes && !Snapshots.Contains(f.DomainType) && !EventsAfter8457cc2.Contains(f.DomainType))) data.Add(f.Manifest);
        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestsOf8457cc2))]
    public void The_type_name_manifest_of_releases_up_to_8457cc2_still_reads(string manifest)
    {
        var format = Format(manifest);
        var sample = Sample(format);
        var alias = Assert.Single(format.ReadAliases);
        Assert.Equal(FarmMessageSerializer.ManifestOf(format.DomainType), alias); // today's name; the literal stays if the type moves
        // 8457cc2 wrote the domain record with the API's options
        Assert.Equal(Json(sample), Json(Read(Json(sample), alias)));
    }

    [Fact]
    public void An_event_added_after_8457cc2_has_no_type_name_alias_and_reads_tolerantly()
    {
        Assert.All(EventsAfter8457cc2, t => Assert.Empty(JournalFormats.All.Single(f => f.DomainType == t).ReadAliases));
        // a later release's extra field is skipped; an absent exit code reads as none
        const string decided = """{"failure":{"kind":"timeout","step":"building","message":"the build exceeded its time limit"},"at":"2026-01-02T03:04:05+00:00","by_a_later_release":1}""";
        Assert.Equal(new BuildJobEvents.FailureDecided(new JobFailure(FailureKind.Timeout, "building", null, "the build exceeded its time limit"),
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), Read(decided, "job-failure-decided.v1"));
    }

    /// <summary>Launched as an imagined earlier shape stored it (another field name, no log_base).</summary>
    private sealed record LaunchedV0
    {
        public int Pgid { get; init; }
        public DateTimeOffset At { get; init; }
    }

    [Fact]
    public void A_retired_version_still_reads_into_todays_event_and_is_never_written()
    {
        var retired = JournalFormat.Retired<BuildJobEvents.Launched, LaunchedV0>("job-launched.v0", c => new BuildJobEvents.Launched(c.Pgid, c.At));
        var back = retired.Read("""{"pgid":7,"at":"2025-01-01T00:00:00+00:00"}"""u8.ToArray());
        Assert.Equal(new BuildJobEvents.Launched(7, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)), back);
        Assert.False(retired.Writes);
        Assert.Throws<InvalidOperationException>(() => retired.Write(back));
    }

    [Fact]
    public void Manifests_are_short_unique_and_not_type_names()
    {
        var written = JournalFormats.All.Select(f => f.Manifest).ToList();
        Assert.Equal(written.Count, written.Distinct(StringComparer.Ordinal).Count());
        Assert.All(written, m => Assert.Matches("^(job|queue|pool|plan|bisection)-[a-z-]+\\.v[0-9]+$", m));
        Assert.All(written, m => Assert.True(m.Length <= 32, m));
        var all = JournalFormats.All.SelectMany(f => f.ReadAliases.Prepend(f.Manifest)).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_unknown_field_is_ignored_at_every_level()
    {
        var sample = new QueueEvents.JobQueued("job-1", (BuildJobRequest)((QueueCommands.Submit)FarmMessageSerializerTests.Samples[typeof(QueueCommands.Submit)]()).Request,
            "key", 7, DateTimeOffset.UnixEpoch);
        var node = JsonNode.Parse(_serializer.ToBinary(sample))!.AsObject();
        node["written_by_a_later_release"] = new JsonObject { ["x"] = 1 };
        node["request"]!["build_config"]!["make_jobs"] = 8;
        node["request"]!["webhooks"]![0]!["secret"] = "s";

        var back = Read(node.ToJsonString(), "queue-job-queued.v1");
        Assert.Equal(Json(sample), Json(back));
    }

    [Fact]
    public void A_missing_optional_field_reads_as_its_default()
    {
        const string launched = """{"process_group":4242,"at":"2025-06-01T08:30:15+02:00"}""";
        Assert.Equal(new BuildJobEvents.Launched(4242, new DateTimeOffset(2025, 6, 1, 8, 30, 15, TimeSpan.FromHours(2)), LogBase: 0),
            Read(launched, "job-launched.v1"));

        const string created = """{"job_id":"j","request":{"source_repository":"git://h/r.git","target_architecture":"x86_64","build_config":{"kernel_config":"tinyconfig"}},"at":"2025-06-01T08:30:15+00:00"}""";
        var request = ((BuildJobEvents.Created)Read(created, "job-created.v1")).Request;
        Assert.Equal(("master", "HEAD", "tinyconfig"), (request.Branch, request.CommitHash, request.BuildConfig.KernelConfig));
        Assert.True(request.BuildConfig.Ccache);
        Assert.True(request.BuildConfig.EnableModules);
        Assert.Equal(1, request.BuildConfig.GitDepth);
        Assert.Empty(request.Webhooks);
        Assert.Empty(request.BuildConfig.CustomEnv);
        Assert.Null(request.BuildConfig.TimeoutMinutes);

        var reserved = (ServerPoolEvents.SlotsReserved)Read("""{"placements":[{"job_id":"j","server":{"id":"s"},"toolchain":{"name":"gcc-12"}}]}""", "pool-slots-reserved.v1");
        var p = Assert.Single(reserved.Placements);
        Assert.Equal((22, 1, ""), (p.Server.SshPort, p.Server.MaxConcurrentJobs, p.Toolchain.CrossCompile));
        Assert.Empty(p.Server.ContainerImages);
    }

    [Fact]
    public void Enum_values_are_journal_words_and_an_unknown_one_is_named()
    {
        Assert.True(JournalEnums.CoversEveryValue);
        Assert.Contains("\"kind\":\"limit\"", Encoding.UTF8.GetString(_serializer.ToBinary(
            new BuildJobEvents.Failed(new JobFailure(FailureKind.Limit, "building", null, "log cap"), null, DateTimeOffset.UnixEpoch))));
        var e = Assert.Throws<SerializationException>(() => Read("""{"status":"levitating","at":"2025-01-01T00:00:00+00:00"}""", "job-step-started.v1"));
        Assert.Contains("levitating", e.Message);
    }

    [Fact]
    public void Remote_messages_keep_their_type_name_manifest()
    {
        Assert.Equal("Jobs.BuildJobCommands+Start", _serializer.Manifest(FarmMessageSerializerTests.Samples[typeof(BuildJobCommands.Start)]()));
        Assert.False(JournalFormats.TryReader("Jobs.BuildJobCommands+Start", out _));
    }
}
