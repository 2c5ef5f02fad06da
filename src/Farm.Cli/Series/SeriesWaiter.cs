using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Series;

/// <summary>Polls a series (GET /api/v1/series/{id}) until its last step has ended; returns its final report.</summary>
public sealed class SeriesWaiter(FarmClient client, string seriesId, SeriesProgress? progress)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public async Task<ApiResponse> WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            var response = await client.GetAsync(ApiPaths.OneSeries(seriesId), ct);
            if (SeriesOutcome.HasEnded(response.Json))
            {
                progress?.Finish(response.Json);
                return response;
            }
            progress?.Show(response.Json);
            await Task.Delay(PollInterval, ct);
        }
    }
}
