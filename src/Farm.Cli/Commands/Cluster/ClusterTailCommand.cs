using System.CommandLine;
using System.Net.Http.Headers;
using KernelFarm.Cli.Cluster;
using KernelFarm.Cli.Http;

namespace KernelFarm.Cli.Commands.Cluster;

/// <summary>`cluster tail`: membership events as they happen, until Ctrl-C; reconnects when the stream drops.</summary>
public static class ClusterTailCommand
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("tail", "Print cluster membership events as they happen, until Ctrl-C (GET /api/v1/cluster/events)");
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var connected = false;
            var dropped = false;
            try
            {
                while (true)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, ApiPaths.ClusterEvents);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                    try
                    {
                        using var response = await cli.Client.OpenStreamAsync(request, ct);
                        connected = true;
                        dropped = false;
                        await using var stream = await response.Content.ReadAsStreamAsync(ct);
                        await foreach (var e in SseReader.ReadAsync(stream, new SseParser(), ct))
                        {
                            cli.Output.Out.WriteLine(cli.Json ? e.Data.Replace('\n', ' ') : ClusterEventLine.Format(e));
                            cli.Output.Out.Flush();
                        }
                    }
                    // once streaming, a node going away is expected: wait for it (or another) to answer again
                    catch (CliException e) when (connected && e is not FarmApiException) { }
                    catch (Exception e) when (connected && e is HttpRequestException or IOException) { }
                    if (connected && !dropped) cli.Output.Note("event stream ended; reconnecting (Ctrl-C to stop)");
                    dropped = true;
                    await Task.Delay(ReconnectDelay, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok; // Ctrl-C is how tail ends
            }
        });
        return command;
    }
}
