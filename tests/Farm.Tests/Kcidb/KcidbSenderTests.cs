using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.Actors.Kcidb;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Kcidb;

/// <summary>The KCIDB sender against a scripted HTTP handler: the document, the token, retries and a final redirect.</summary>
public sealed class KcidbSenderTests : ActorTest
{
    private static readonly KcidbSettings Settings = new()
    {
        Origin = "kfarm", PublicUrl = "https://farm.example.org", SubmitUrl = "https://kcidb.example.org/submit", Token = "kcidb-secret",
    };

    private static readonly JobRecord Job = new()
    {
        Id = "job-1",
        Request = QueueStateTests.Request(),
        Status = JobStatus.Completed,
        Transitions = [new(JobStatus.Queued, DateTimeOffset.UnixEpoch), new(JobStatus.Completed, DateTimeOffset.UnixEpoch.AddMinutes(1))],
    };

    /// <summary>Answers each request with the next status and keeps what was sent.</summary>
    private sealed class Scripted(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _next;
        public readonly ConcurrentQueue<(string Url, string? Authorization, string Body)> Sent = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Sent.Enqueue((request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), await request.Content!.ReadAsStringAsync(ct)));
            return new HttpResponseMessage(statuses[Math.Min(Interlocked.Increment(ref _next) - 1, statuses.Length - 1)]);
        }
    }

    private WebhookDelivery Push(Scripted handler, int attempts = 3)
    {
        var parent = CreateTestProbe();
        parent.ChildActorOf(KcidbSender.Props(Job, Settings, attempts, TimeSpan.FromMilliseconds(10), new HttpClient(handler)));
        return parent.ExpectMsg<KcidbSender.Outcome>().Delivery;
    }

    [Fact]
    public void The_jobs_document_is_posted_with_the_bearer_token_until_it_is_accepted()
    {
        var handler = new Scripted(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var d = Push(handler);
        Assert.Equal((0, Settings.SubmitUrl, true, 2, (int?)200, (string?)null), (d.Index, d.Url, d.Delivered, d.Attempts, d.HttpStatus, d.Error));

        var sent = handler.Sent.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.All(sent, s => Assert.Equal((Settings.SubmitUrl, "Bearer kcidb-secret"), (s.Url, s.Authorization)));
        var build = JsonNode.Parse(sent[1].Body)!["builds"]![0]!;
        Assert.Equal(("kfarm:job-1", "PASS"), (build["id"]!.GetValue<string>(), build["status"]!.GetValue<string>()));
        Assert.StartsWith("https://farm.example.org/api/v1/infrastructure/build-jobs/job-1/", build["log_url"]!.GetValue<string>());
    }

    [Fact]
    public void It_gives_up_after_the_last_attempt_with_the_last_answer()
    {
        var d = Push(new Scripted(HttpStatusCode.InternalServerError), attempts: 3);
        Assert.Equal((false, 3, (int?)500, "HTTP 500"), (d.Delivered, d.Attempts, d.HttpStatus, d.Error));
    }

    [Fact]
    public void A_redirect_is_final_and_never_followed()
    {
        var handler = new Scripted(HttpStatusCode.Found, HttpStatusCode.OK);
        var d = Push(handler);
        Assert.Equal((false, 1, (int?)302), (d.Delivered, d.Attempts, d.HttpStatus));
        Assert.Contains("redirect", d.Error);
        Assert.Single(handler.Sent);
        Assert.DoesNotContain("kcidb-secret", d.Error);
    }
}
