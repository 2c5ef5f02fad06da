using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Jobs;

/// <summary>
/// Follows a job's log until the job ends: GET …/log?follow=true as server-sent events ("log"
/// events whose id is the byte offset after them, then "end" with the final status). A dropped
/// connection is resumed with Last-Event-ID, so no line is lost or printed twice. A farm that
/// answers with plain text (no event stream) is followed by polling …/log?offset=N instead.
/// </summary>
public sealed class LogFollower(FarmClient client, string jobId, Func<string, Task> write)
{
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Consecutive failed (re)connections before giving up.</summary>
    public int MaxReconnects { get; init; } = 30;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Streams the log to the end; returns the job's final status.</summary>
    public async Task<string?> RunAsync(CancellationToken ct)
    {
        string? lastId = null;
        var failures = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.JobLog(jobId) + "?follow=true");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastId);
            HttpResponseMessage response;
            try
            {
                response = await client.OpenStreamAsync(request, ct);
            }
            catch (CliException e) when (e is not FarmApiException && e.ExitCode == ExitCodes.Unavailable && failures < MaxReconnects)
            {
                failures++;
                await Task.Delay(ReconnectDelay, ct);
                continue;
            }
            using (response)
            {
                if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                    return await PollAsync(long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? at : 0, ct);
                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(ct);
                    await foreach (var e in SseReader.ReadAsync(stream, new SseParser(), ct))
                    {
                        failures = 0;
                        if (e.Type == "log")
                        {
                            await write(e.Data + "\n");
                            lastId = e.Id ?? lastId;
                        }
                        else if (e.Type == "end") return EndStatus(e.Data);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    // dropped mid-stream: resume below
                }
            }
            if (++failures > MaxReconnects) throw client.Unreachable($"the log stream of job {jobId} keeps breaking off");
            await Task.Delay(ReconnectDelay, ct);
        }
    }

    private static string? EndStatus(string data)
    {
        try { return Json.Str(JsonNode.Parse(data), "status"); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>For a farm without the event stream: poll the log by byte offset until the job has ended.</summary>
    private async Task<string?> PollAsync(long offset, CancellationToken ct)
    {
        var decoder = new UTF8Encoding(false).GetDecoder();
        string? endedAs = null;
        while (true)
        {
            var bytes = await client.GetBytesAsync($"{ApiPaths.JobLog(jobId)}?offset={offset}", ct);
            if (bytes.Length > 0)
            {
                offset += bytes.Length;
                var chars = new char[decoder.GetCharCount(bytes, flush: false)];
                decoder.GetChars(bytes, chars, flush: false);
                await write(new string(chars));
                continue;
            }
            if (endedAs is not null) return endedAs; // read once more after the end: the tail is in
            var status = Json.Str((await client.GetAsync(ApiPaths.Job(jobId), ct)).Json, "status");
            if (JobStates.IsTerminal(status)) endedAs = status;
            else await Task.Delay(PollInterval, ct);
        }
    }
}
