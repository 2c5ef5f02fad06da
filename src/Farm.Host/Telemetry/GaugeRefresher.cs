using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Actors.Telemetry;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Telemetry;

/// <summary>
/// Reads the queue depth, jobs by state and slot use from the actors every few seconds, so a
/// Prometheus scrape answers from memory and never waits on (or floods) a singleton. After each
/// round the readings also go to <see cref="MetricsHistory"/>, which keeps one per its interval.
/// </summary>
public sealed class GaugeRefresher(IRequiredActor<BuildQueue> queue, IRequiredActor<ServerPool> pool, IRequiredActor<JobIndex> index,
    MetricsHistory history, FarmSettings settings, ILogger<GaugeRefresher> log) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private long _queueDepth;
    private IReadOnlyDictionary<JobStatus, int> _jobs = new Dictionary<JobStatus, int>();
    private IReadOnlyList<ServerView> _servers = [];

    private async Task Refresh(string what, Func<Task> read)
    {
        try { await read(); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogDebug("metrics: could not refresh {What}: {Error}", what, e.Message); }
        catch (OperationCanceledException) { /* stopping */ }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        FarmMetrics.ObserveGauges(
            () => Interlocked.Read(ref _queueDepth),
            () => Enum.GetValues<JobStatus>().Select(s => new Measurement<long>(_jobs.GetValueOrDefault(s),
                new KeyValuePair<string, object?>("state", s.ToString().ToLowerInvariant()))),
            () => _servers.Select(s => new Measurement<double>(s.Server.MaxConcurrentJobs == 0 ? 0 : (double)s.SlotsInUse / s.Server.MaxConcurrentJobs,
                new KeyValuePair<string, object?>("server", s.Server.Id))),
            () => _servers.Where(s => s.Caches is not null).SelectMany(s => new[]
            {
                new Measurement<long>(s.Caches!.GitBytes, new("server", s.Server.Id), new("cache", "git")),
                new Measurement<long>(s.Caches.CcacheBytes ?? 0, new("server", s.Server.Id), new("cache", "ccache")),
            }));
        while (!stoppingToken.IsCancellationRequested)
        {
            // Each reading on its own: one slow actor must not freeze the others' gauges.
            await Refresh("queue depth", async () => Interlocked.Exchange(ref _queueDepth,
                (await queue.ActorRef.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, settings.AskTimeout, stoppingToken)).Waiting));
            await Refresh("jobs by state", async () => _jobs =
                (await index.ActorRef.Ask<JobIndexActor.StatusCounts>(JobIndexActor.CountByStatus.Instance, settings.AskTimeout, stoppingToken)).Counts);
            await Refresh("slot use", async () => _servers =
                (await pool.ActorRef.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, settings.AskTimeout, stoppingToken)).Servers);
            if (stoppingToken.IsCancellationRequested) return;
            history.TryRecord(MetricsSample.From(DateTimeOffset.UtcNow, Interlocked.Read(ref _queueDepth), _jobs, _servers));
            try { await Task.Delay(Every, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
