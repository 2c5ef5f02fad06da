using System.Text;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Tests.Support;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class LogFollowerTests
{
    private const string JobId = "0197a5f0-0000-7000-8000-000000000001";
    private static readonly CliConfig Config = new(new Uri("http://farm.test/"), "t0ken", "/dev/null");

    private static async Task<(string Output, string? Status, StubHandler Handler)> Follow(Func<HttpRequestMessage, int, HttpResponseMessage> answer)
    {
        var handler = new StubHandler(answer);
        using var client = new FarmClient(Config, handler);
        var output = new StringBuilder();
        var follower = new LogFollower(client, JobId, t => { output.Append(t); return Task.CompletedTask; })
        {
            ReconnectDelay = TimeSpan.Zero,
            PollInterval = TimeSpan.Zero,
            MaxReconnects = 3,
        };
        var status = await follower.RunAsync(CancellationToken.None);
        return (output.ToString(), status, handler);
    }

    [Fact]
    public async Task Each_log_event_prints_its_lines_and_the_end_event_gives_the_status()
    {
        var (output, status, handler) = await Follow((_, _) => StubHandler.Events(
            "id: 12\nevent: log\ndata: line 1\ndata: line 2\n\n: keep-alive\n\nid: 19\nevent: log\ndata: line 3\n\n" +
            "id: 19\nevent: end\ndata: {\"status\": \"failed\", \"offset\": 19}\n\n"));
        Assert.Equal("line 1\nline 2\nline 3\n", output);
        Assert.Equal("failed", status);
        var request = Assert.Single(handler.Requests);
        Assert.Equal($"/api/v1/infrastructure/build-jobs/{JobId}/log", request.RequestUri!.AbsolutePath);
        Assert.Equal("?follow=true", request.RequestUri.Query);
        Assert.Contains("text/event-stream", request.Headers.Accept.ToString());
        Assert.Equal("Bearer t0ken", request.Headers.Authorization?.ToString());
        Assert.False(request.Headers.Contains("Last-Event-ID"));
    }

    [Fact]
    public async Task A_stream_that_ends_without_end_event_is_resumed_from_the_last_event_id_without_loss_or_duplicate()
    {
        var (output, status, handler) = await Follow((_, n) => n switch
        {
            // the second event is cut before its blank line: it was not delivered and must come again
            0 => StubHandler.Events("id: 7\nevent: log\ndata: a\ndata: b\n\nid: 9\nevent: log\ndata: c"),
            _ => StubHandler.Events("id: 9\nevent: log\ndata: c\n\nevent: end\ndata: {\"status\":\"completed\"}\n\n"),
        });
        Assert.Equal("a\nb\nc\n", output);
        Assert.Equal("completed", status);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(["7"], handler.Requests[1].Headers.GetValues("Last-Event-ID"));
    }

    [Fact]
    public async Task A_connection_reset_mid_stream_is_resumed_too()
    {
        var (output, status, handler) = await Follow((_, n) => n switch
        {
            0 => StubHandler.Events(new BreakingStream(Encoding.UTF8.GetBytes("id: 3\nevent: log\ndata: x\n\nid: 5\nevent: log\ndata: y\n\nid: 8\nev"))),
            1 => StubHandler.Events("id: 8\nevent: log\ndata: z\n\nevent: end\ndata: {\"status\":\"completed\"}\n\n"),
            _ => throw new InvalidOperationException("no third request expected"),
        });
        Assert.Equal("x\ny\nz\n", output);
        Assert.Equal("completed", status);
        Assert.Equal(["5"], handler.Requests[1].Headers.GetValues("Last-Event-ID"));
    }

    [Fact]
    public async Task A_refused_reconnection_is_retried()
    {
        var (output, _, handler) = await Follow((_, n) => n switch
        {
            0 => StubHandler.Events("id: 1\nevent: log\ndata: one\n\n"),
            1 => throw new HttpRequestException("Connection refused"),
            _ => StubHandler.Events("id: 2\nevent: log\ndata: two\n\nevent: end\ndata: {\"status\":\"completed\"}\n\n"),
        });
        Assert.Equal("one\ntwo\n", output);
        Assert.Equal(["1"], handler.Requests[2].Headers.GetValues("Last-Event-ID"));
    }

    [Fact]
    public async Task It_gives_up_after_the_configured_number_of_failed_reconnections()
    {
        var e = await Assert.ThrowsAsync<CliException>(() => Follow((_, _) => throw new HttpRequestException("Connection refused")));
        Assert.Equal(ExitCodes.Unavailable, e.ExitCode);
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        var e = await Assert.ThrowsAsync<FarmApiException>(() => Follow((_, _) =>
            StubHandler.Text("""{"title":"build job not found","detail":"no build job with id x"}""", "application/problem+json", System.Net.HttpStatusCode.NotFound)));
        Assert.Equal(ExitCodes.NotFound, e.ExitCode);
    }

    [Fact]
    public async Task A_farm_without_the_event_stream_is_followed_by_polling_the_log_by_offset()
    {
        var log = Encoding.UTF8.GetBytes("first\nsecond ✓\n");
        var polls = 0;
        var (output, status, handler) = await Follow((request, _) =>
        {
            var uri = request.RequestUri!;
            if (uri.Query == "?follow=true") return StubHandler.Text("whole log, ignored", "text/plain");
            if (uri.AbsolutePath.EndsWith("/log"))
            {
                var offset = int.Parse(uri.Query["?offset=".Length..]);
                // the log grows between polls; a multi-byte character arrives split
                var available = ++polls switch { 1 => 8, 2 => 15, _ => log.Length };
                return StubHandler.Bytes(log[Math.Min(offset, available)..available]);
            }
            return StubHandler.Text(polls >= 3 ? """{"status":"completed"}""" : """{"status":"building"}""", "application/json");
        });
        Assert.Equal("first\nsecond ✓\n", output);
        Assert.Equal("completed", status);
        Assert.Contains(handler.Requests, r => r.RequestUri!.Query == "?offset=0");
    }
}
