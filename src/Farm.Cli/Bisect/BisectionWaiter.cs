using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Bisect;

/// <summary>Polls a bisection (GET /api/v1/bisections/{id}) until it has ended; returns its final view.</summary>
public sealed class BisectionWaiter(FarmClient client, string bisectionId, BisectionProgress? progress)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public async Task<ApiResponse> WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            var response = await client.GetAsync(ApiPaths.Bisection(bisectionId), ct);
            if (BisectionOutcome.HasEnded(response.Json))
            {
                progress?.Finish(response.Json);
                return response;
            }
            progress?.Show(response.Json);
            await Task.Delay(PollInterval, ct);
        }
    }
}
