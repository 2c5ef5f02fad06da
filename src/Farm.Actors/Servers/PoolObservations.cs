using System.Collections.Immutable;
using Akka.Event;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>
/// What the pool learns by probing its servers, as a value: never persisted (re-learned within one
/// probe interval after a restart), so a hand-over costs no replay of probes.
/// </summary>
public sealed record PoolObservations
{
    public static readonly PoolObservations None = new();

    public ImmutableDictionary<string, ServerHealth> Health { get; init; } = ImmutableDictionary.Create<string, ServerHealth>(StringComparer.Ordinal);
    /// <summary>Compilers the last successful probe found, per server.</summary>
    public ImmutableDictionary<string, IReadOnlyList<DetectedToolchain>> Detected { get; init; } =
        ImmutableDictionary.Create<string, IReadOnlyList<DetectedToolchain>>(StringComparer.Ordinal);
    /// <summary>The declared container runtime and images as the last successful probe found them (servers with a runtime only).</summary>
    public ImmutableDictionary<string, DetectedContainers> Containers { get; init; } = ImmutableDictionary.Create<string, DetectedContainers>(StringComparer.Ordinal);
    /// <summary>The server's caches as the last successful probe found them (and evicted from).</summary>
    public ImmutableDictionary<string, ServerCaches> Caches { get; init; } = ImmutableDictionary.Create<string, ServerCaches>(StringComparer.Ordinal);
    /// <summary>The mirror names in each server's git cache, as placement's cache affinity reads them.</summary>
    public ImmutableDictionary<string, IReadOnlySet<string>> CachedRepositories { get; init; } =
        ImmutableDictionary.Create<string, IReadOnlySet<string>>(StringComparer.Ordinal);
    /// <summary>Mirrors a placed job is filling, by server, with when it was placed: kept over probes that began before that.</summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, DateTimeOffset>> ExpectedMirrors { get; init; } =
        ImmutableDictionary.Create<string, ImmutableDictionary<string, DateTimeOffset>>(StringComparer.Ordinal);
    /// <summary>Servers whose registration probe is under way.</summary>
    public ImmutableHashSet<string> Registering { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    public bool IsHealthy(string serverId) => Health.GetValueOrDefault(serverId)?.Status != HealthStatus.Unhealthy;

    public PoolObservations Forget(string serverId) => this with
    {
        Health = Health.Remove(serverId), Detected = Detected.Remove(serverId), Containers = Containers.Remove(serverId),
        Caches = Caches.Remove(serverId), CachedRepositories = CachedRepositories.Remove(serverId), ExpectedMirrors = ExpectedMirrors.Remove(serverId),
    };

    public ServerView View(PoolState state, string id)
    {
        var (server, at) = state.Servers[id];
        return new ServerView(server, state.SlotsInUse(id), state.JobsOn(id),
            Health.GetValueOrDefault(id, new ServerHealth(HealthStatus.Healthy, at)), at, state.Draining.Contains(id), Detected.GetValueOrDefault(id),
            Containers.GetValueOrDefault(id), Caches.GetValueOrDefault(id));
    }

    /// <summary>
    /// A job placed on a server fills that server's mirror of its repository in its first step:
    /// count the mirror as there from now on (cache affinity for the next job), until a probe says otherwise.
    /// </summary>
    public PoolObservations ExpectMirrors(IReadOnlyList<Placement> placed, IReadOnlyList<PlacementRequest> requests, DateTimeOffset now)
    {
        var repositories = new Dictionary<string, string?>(StringComparer.Ordinal);
        var trees = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var r in requests) { repositories.TryAdd(r.JobId, r.SourceRepository); trees.TryAdd(r.JobId, r.SeriesTree); }
        var cached = CachedRepositories;
        var expectedMirrors = ExpectedMirrors;
        foreach (var placement in placed)
        {
            if (placement.ContainerImage is not null) continue; // a container build clones
            var repository = repositories.GetValueOrDefault(placement.JobId);
            if (string.IsNullOrEmpty(repository)) continue;
            var held = cached.GetValueOrDefault(placement.Server.Id) ?? new HashSet<string>(StringComparer.Ordinal);
            var mirror = Execution.GitCache.MirrorName(repository);
            // a series leaves its built tree there too (when its last step builds)
            var names = trees.GetValueOrDefault(placement.JobId) is { } tree ? new[] { mirror, Execution.SeriesTree.AffinityPrefix + tree } : [mirror];
            if (!names.All(held.Contains)) cached = cached.SetItem(placement.Server.Id, new HashSet<string>(held.Concat(names), StringComparer.Ordinal));
            var expected = expectedMirrors.GetValueOrDefault(placement.Server.Id) ?? ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var name in names) expected = expected.SetItem(name, now);
            expectedMirrors = expectedMirrors.SetItem(placement.Server.Id, expected);
        }
        return this with { CachedRepositories = cached, ExpectedMirrors = expectedMirrors };
    }

    /// <summary>A probe's health (always) and, when it succeeded, its findings; with what is worth a log line.</summary>
    public (PoolObservations Next, IReadOnlyList<(LogLevel Level, string Message)> Notes) Learn(BuildServer server, ServerProbe.Result r)
    {
        var next = this with { Health = Health.SetItem(r.ServerId, new ServerHealth(r.Ok ? HealthStatus.Healthy : HealthStatus.Unhealthy, r.At, r.Error)) };
        if (!r.Ok) return (next, []);
        var warnings = new List<(LogLevel, string)>();
        next = next with { Detected = next.Detected.SetItem(server.Id, r.Detected) };
        if (r.Caches is { } caches)
        {
            // The mirrors a probe found, plus those of jobs placed after it began: a probe that was
            // under way when a job was placed cannot have seen the mirror the job is creating.
            var held = caches.Repositories.Select(c => c.Name)
                .Concat((caches.Trees ?? []).Select(t => Execution.SeriesTree.AffinityPrefix + t.Name)).ToHashSet(StringComparer.Ordinal);
            var expected = next.ExpectedMirrors.GetValueOrDefault(server.Id);
            if (expected is not null)
            {
                var probeStarted = r.StartedAt ?? r.At;
                foreach (var (mirror, placedAt) in expected)
                    if (placedAt >= probeStarted) held.Add(mirror);
                    else expected = expected.Remove(mirror); // this probe looked after the job began: what it found stands
                next = next with { ExpectedMirrors = next.ExpectedMirrors.SetItem(server.Id, expected) };
            }
            next = next with { Caches = next.Caches.SetItem(server.Id, caches), CachedRepositories = next.CachedRepositories.SetItem(server.Id, held) };
            if (caches.Evicted.Count > 0)
                warnings.Add((LogLevel.InfoLevel, $"build server {server.Id}: git cache over its {server.GitCacheLimitMb} MiB limit: evicted {string.Join(", ", caches.Evicted)} (now {caches.GitBytes / (1024 * 1024)} MiB)"));
        }
        var before = Containers.GetValueOrDefault(server.Id);
        if (r.Containers is not { } now) return (next with { Containers = next.Containers.Remove(server.Id) }, warnings);
        next = next with { Containers = next.Containers.SetItem(server.Id, now) };
        // Placement does not look at this (like missing toolchains): a job in a missing image fails
        // as an infrastructure failure and is retried elsewhere. Warn once per change, not per probe.
        var missing = ContainerDetection.Missing(server, now);
        if (before is not null && before.RuntimeFound == now.RuntimeFound && missing.SequenceEqual(ContainerDetection.Missing(server, before))) return (next, warnings);
        if (!now.RuntimeFound)
            warnings.Add((LogLevel.WarningLevel, $"build server {server.Id} declares container runtime {server.ContainerRuntime}, which the probe did not find: its container builds will fail"));
        else if (missing.Count > 0)
            warnings.Add((LogLevel.WarningLevel, $"build server {server.Id}: declared container images missing from {server.ContainerRuntime}'s local store (builds never pull): {string.Join(", ", missing)}"));
        return (next, warnings);
    }
}
