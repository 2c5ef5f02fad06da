using Akka.Actor;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Actors.Jobs;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Host.Telemetry;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway;

/// <summary>
/// /api/v1/stats: what a dashboard's charts plot. The load history is the answering node's own
/// (see <see cref="MetricsHistory"/>); durations and counts come from its job index.
/// </summary>
public static class StatsEndpoints
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    public static void MapStatsEndpoints(this IEndpointRouteBuilder app, FarmSettings settings)
    {
        app.MapGet("/api/v1/stats", async (string? since, MetricsHistory history, IRequiredActor<JobIndex> index) =>
        {
            // Parsed and refused exactly as the job list's since.
            var (filter, problem) = ListFilter.Parse(null, null, null, since, null);
            if (problem is not null) return problem;
            var from = filter!.Since ?? DateTimeOffset.UtcNow - DefaultWindow;

            var durations = await index.ActorRef.Ask<JobIndexActor.DurationsByArchitecture>(new JobIndexActor.Durations(from), settings.AskTimeout);
            var counts = await index.ActorRef.Ask<JobIndexActor.StatusCounts>(JobIndexActor.CountByStatus.Instance, settings.AskTimeout);
            return Results.Ok(new FarmStats(
                history.Interval.TotalSeconds,
                history.Since(from).ToList(),
                durations.Architectures.Select(d => new DurationSummary(d.Architecture, d.Count, Seconds(d.P50), Seconds(d.P90), Seconds(d.Max))).ToList(),
                // Every status, zeros included, so a chart's categories do not come and go.
                Enum.GetValues<JobStatus>().ToDictionary(s => s.ToString().ToLowerInvariant(), s => counts.Counts.GetValueOrDefault(s))));
        }).RequireAuthorization(FarmPolicies.Viewer)
          .Describe("GetStats", "Load history of the answering node, build durations by architecture, jobs by status")
          .Produces<FarmStats>().WithProblems(400, 401, 503);
    }

    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);
}
