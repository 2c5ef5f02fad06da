using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Plans;

/// <summary>Polls a plan until every build has ended; returns its final JSON.</summary>
public sealed class PlanWaiter(FarmClient client, string planId, PlanProgress? progress)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public async Task<ApiResponse> WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            var response = await client.GetAsync(ApiPaths.Plan(planId), ct);
            if (PlanOutcome.HasEnded(response.Json))
            {
                progress?.Finish(response.Json);
                return response;
            }
            progress?.Show(response.Json);
            await Task.Delay(PollInterval, ct);
        }
    }
}
