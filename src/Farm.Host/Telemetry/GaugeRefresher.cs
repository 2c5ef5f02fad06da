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
/// Prometheus scrape answers from memory and never waits on (or floods) a singleton.
/// </summary>
public sealed class GaugeRefresher(IRequiredActor<BuildQueue> queue, IRequiredActor<ServerPool> pool, IRequiredActor<JobIndex> index,
    FarmSettings settings, ILogger<GaugeRefresher> log) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private long _queueDepth;
    private IReadOnlyDictionary<JobStatus, int> _jobs = new Dictionary<JobStatus, int>();
    private IReadOnlyList<ServerView> _servers = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        FarmMetrics.ObserveGauges(
            () => Interlocked.Read(ref _queueDepth),
            () => Enum.GetValues<JobStatus>().Select(s => new Measurement<long>(_jobs.GetValueOrDefault(s),
                new KeyValuePair<string, object?>("state", s.ToString().ToLowerInvariant()))),
            () => _servers.Select(s => new Measurement<double>(s.Server.MaxConcurrentJobs == 0 ? 0 : (double)s.SlotsInUse / s.Server.MaxConcurrentJobs,
                new KeyValuePair<string, object?>("server", s.Server.Id))));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var q = await queue.ActorRef.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, settings.AskTimeout, stoppingToken);
                Interlocked.Exchange(ref _queueDepth, q.Waiting);
                _jobs = (await index.ActorRef.Ask<JobIndexActor.StatusCounts>(JobIndexActor.CountByStatus.Instance, settings.AskTimeout, stoppingToken)).Counts;
                _servers = (await pool.ActorRef.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, settings.AskTimeout, stoppingToken)).Servers;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogDebug("metrics: could not refresh gauges: {Error}", e.Message); }
            try { await Task.Delay(Every, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
