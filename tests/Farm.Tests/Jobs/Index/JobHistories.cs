using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Jobs.Index;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Tests.Jobs.Index;

/// <summary>
/// Journal entries of many jobs interleaved as a journal holds them, and the states an in-memory
/// replay makes of them: the reference a store's answers are compared with. (Linked into
/// Farm.IntegrationTests for the PostgreSQL store, so it depends on nothing else in Farm.Tests.)
/// </summary>
internal static class JobHistories
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Architectures = ["x86_64", "arm64", "ARM64", "riscv"];
    private static readonly string[] Servers = ["srv-a", "srv-b", "SRV-A"];

    /// <summary>A state compared by value: every public property as FarmJson writes it (the lists in a state compare by reference).</summary>
    public static string Json(JobState state) => System.Text.Json.JsonSerializer.Serialize(state, KernelFarm.Messages.Serialization.FarmJson.Options);

    public static string Id(int i) => new Guid(i, 0, 0, new byte[8]).ToString();

    /// <summary>
    /// <paramref name="jobs"/> jobs, created in threes at the same instant (ties are ordered by id),
    /// some at other offsets, ending in every status; entries of different jobs interleave.
    /// </summary>
    public static IReadOnlyList<JournalEntry> Entries(int jobs)
    {
        var perJob = Enumerable.Range(0, jobs).Select(i => Events(i).Select(e => ("job-" + Id(i), e)).ToList()).ToList();
        var entries = new List<JournalEntry>();
        var ordering = 0L;
        for (var round = 0; perJob.Any(p => p.Count > round); round++)
            foreach (var job in perJob.Where(p => p.Count > round))
                entries.Add(new JournalEntry(++ordering, job[round].Item1, job[round].e));
        return entries;
    }

    private static IEnumerable<IJobEvent> Events(int i)
    {
        // the same instant, written at other offsets: one UtcTicks
        var created = (T0 + TimeSpan.FromMinutes(i / 3)).ToOffset(TimeSpan.FromHours(i % 2));
        var arch = Architectures[i % Architectures.Length];
        yield return new Created(Id(i), Request(arch), created);
        if (i % 7 == 6) yield break; // still queued
        yield return new Assigned(Placement(Id(i), Servers[i % Servers.Length]), "/ws", 1, created.AddSeconds(10));
        yield return new StepStarted(JobStatus.Building, created.AddSeconds(20));
        switch (i % 5)
        {
            case 0: yield return new Failed(new JobFailure(FailureKind.Build, "building", 2, "make failed"), null, created.AddSeconds(30)); break;
            case 1: yield return new Cancelled(created.AddSeconds(30)); break;
            case 2: break; // building
            default: yield return new Completed("/artifacts/" + Id(i), [], created.AddSeconds(10 + 7 * (i % 11))); break;
        }
    }

    public static BuildJobRequest Request(string arch) => new()
    {
        SourceRepository = "https://git.example.org/linux.git",
        TargetArchitecture = arch,
        BuildConfig = new BuildConfig { KernelConfig = "tinyconfig" },
    };

    private static Placement Placement(string jobId, string server) => new(jobId, new BuildServer
    {
        Id = server,
        Hostname = server,
        IpAddress = "10.0.0.1",
        SshUsername = "build",
        SshHostKeyFingerprint = "SHA256:" + new string('A', 43),
        SupportedArchitectures = ["x86_64", "arm64"],
        Toolchains = [new Toolchain("gcc-12", ["x86_64"])],
    }, new Toolchain("gcc-12", ["x86_64"]));

    /// <summary>What the index held before it had a store: every job replayed in memory.</summary>
    public static IReadOnlyList<JobState> Replay(IEnumerable<JournalEntry> entries)
    {
        var jobs = new Dictionary<string, JobState>();
        foreach (var e in entries)
            if (e.Event is IJobEvent job && e.PersistenceId.StartsWith("job-", StringComparison.Ordinal))
                jobs[e.PersistenceId[4..]] = jobs.GetValueOrDefault(e.PersistenceId[4..], JobState.Empty).Apply(job);
        return jobs.Values.ToList();
    }

    /// <summary>The list as the in-memory index answered it.</summary>
    public static (IReadOnlyList<JobState> Jobs, int Total) List(IReadOnlyList<JobState> jobs, JobFilter filter, int offset, int limit)
    {
        var matching = jobs.Where(filter.Matches).OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();
        return (matching.Skip(offset).Take(limit).ToList(), matching.Count);
    }

    /// <summary>Completed builds with reuse keys (result reuse): "new" and "old" share v1:a, "copy" took new's result, "failed" and "nokey" have none to offer.</summary>
    public static IReadOnlyList<JournalEntry> Results()
    {
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var request = new BuildJobRequest { SourceRepository = "https://git.example.org/linux.git", TargetArchitecture = "x86_64" };
        var ordering = 0L;
        JournalEntry E(string job, IJobEvent e) => new(++ordering, "job-" + job, e);
        return
        [
            E("old", new Created("old", request, t)), E("old", new Completed("/s/old", [], t.AddMinutes(1), "v1:a")),
            E("new", new Created("new", request, t)), E("new", new Completed("/s/new", [], t.AddMinutes(2), "v1:a")),
            E("copy", new Created("copy", request, t)), E("copy", new Completed("/s/copy", [], t.AddMinutes(3), "v1:a", ReusedFrom: "new")),
            E("failed", new Created("failed", request, t)), E("failed", new Failed(new JobFailure(FailureKind.Build, "building", 2, "x"), null, t.AddMinutes(4))),
            E("other", new Created("other", request, t)), E("other", new Completed("/s/other", [], t.AddMinutes(5), "v1:b")),
            E("nokey", new Created("nokey", request, t)), E("nokey", new Completed("/s/nokey", [], t.AddMinutes(6))),
        ];
    }

    /// <summary>What a store holding <see cref="Results"/> answers: the newest build with a key, never a job that took a result.</summary>
    public static async Task AssertResultsFoundAsync(IJobIndexStore store)
    {
        Xunit.Assert.Equal("new", (await store.FindResultAsync(["v1:a"]))?.Id);
        Xunit.Assert.Equal("other", (await store.FindResultAsync(["v1:a", "v1:b"]))?.Id);
        Xunit.Assert.Equal("/s/other", (await store.FindResultAsync(["v1:b"]))?.ArtifactDirectory);
        Xunit.Assert.Null(await store.FindResultAsync(["v1:c"]));
        Xunit.Assert.Null(await store.FindResultAsync([]));
    }
}
