using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Jobs;

/// <summary>Polls a job (and the growing end of its log) until it has ended; returns its final JSON.</summary>
public sealed class JobWaiter(FarmClient client, string jobId, WaitProgress? progress)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<ApiResponse> WaitAsync(CancellationToken ct)
    {
        long offset = 0;
        var last = new LastLine();
        while (true)
        {
            var response = await client.GetAsync(ApiPaths.Job(jobId), ct);
            var job = response.Json;
            var status = Json.Str(job, "status") ?? "unknown";
            if (JobStates.IsTerminal(status))
            {
                progress?.Clear();
                return response;
            }
            if (progress is not null)
            {
                if (status != "queued")
                {
                    var bytes = await client.GetBytesAsync($"{ApiPaths.JobLog(jobId)}?offset={offset}", ct);
                    offset += bytes.Length;
                    last.Append(bytes);
                }
                progress.Show(jobId, status, JobView.Duration(job, DateTimeOffset.UtcNow) ?? TimeSpan.Zero, last.Value);
            }
            await Task.Delay(PollInterval, ct);
        }
    }
}
