using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Kcidb;

/// <summary>
/// Pushes one ended build to the KCIDB submit URL (docs/kcidb.md "Push"): builds the job's KCIDB
/// document (its checkout, build and boot test, with its metadata.json's facts), POSTs it with the
/// bearer token, retries with doubling back-off on a connection error or a non-2xx answer, and
/// reports the outcome to its job, which records it so the build is not pushed again. A redirect
/// (3xx, never followed: it could carry the token elsewhere) ends the push as failed at once.
/// </summary>
public sealed class KcidbSender : ReceiveActor, IWithTimers
{
    public sealed record Outcome(WebhookDelivery Delivery);
    private sealed record Prepared(string Document);
    private sealed record Attempted(int? Status, string? Error, bool Final = false);
    private sealed record Retry;

    /// <summary>
    /// Not the webhooks' client: the submit URL is the operator's own configuration, not a submitter's,
    /// so the webhook address policy does not apply. Never follows a redirect; bounded in time.
    /// </summary>
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    }) { Timeout = TimeSpan.FromSeconds(30) });

    private readonly JobRecord _job;
    private readonly KcidbSettings _kcidb;
    private readonly int _maxAttempts;
    private readonly TimeSpan _backoff;
    private readonly HttpClient _http;
    private string _document = "";
    private int _attempts;

    public ITimerScheduler Timers { get; set; } = null!;

    public KcidbSender(JobRecord job, KcidbSettings kcidb, int maxAttempts, TimeSpan backoff, HttpClient? http = null)
    {
        (_job, _kcidb, _maxAttempts, _backoff, _http) = (job, kcidb, maxAttempts, backoff, http ?? Http.Value);
        Receive<Prepared>(p => { _document = p.Document; Send(); });
        Receive<Status.Failure>(f => Report(new Attempted(null, "could not build the document: " + f.Cause.GetBaseException().Message, Final: true)));
        Receive<Retry>(_ => Send());
        Receive<Attempted>(a =>
        {
            var delivered = a.Status is >= 200 and < 300;
            if (delivered || a.Final || _attempts >= _maxAttempts) { Report(a); return; }
            var wait = TimeSpan.FromTicks(_backoff.Ticks * (1L << Math.Min(_attempts - 1, 10)));
            Timers.StartSingleTimer("retry", new Retry(), wait);
        });
    }

    /// <summary>The document once: metadata.json is read off the actor's thread.</summary>
    protected override void PreStart()
    {
        var (job, origin, baseUrl) = (_job, _kcidb.Origin, _kcidb.PublicUrl!);
        Task.Run<object>(async () => new Prepared(JsonSerializer.Serialize(KcidbMapper.Map([await KcidbJob.LoadAsync(job)], origin, baseUrl)))).PipeTo(Self);
    }

    private void Report(Attempted a)
    {
        var delivered = a.Status is >= 200 and < 300;
        var error = delivered ? null : a.Error ?? $"HTTP {a.Status}";
        Context.Parent.Tell(new Outcome(new WebhookDelivery(0, _kcidb.SubmitUrl!, delivered, _attempts, a.Status, error, DateTimeOffset.UtcNow)));
        Context.Stop(Self);
    }

    private void Send()
    {
        _attempts++;
        var request = new HttpRequestMessage(HttpMethod.Post, _kcidb.SubmitUrl)
        {
            Content = new StringContent(_document, Encoding.UTF8, "application/json"),
        };
        if (_kcidb.Token is { Length: > 0 } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("KernelFarm", "1"));
        // Headers only: the answer's body is never read, so its size cannot matter.
        _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ContinueWith(t =>
        {
            request.Dispose();
            if (!t.IsCompletedSuccessfully)
                return new Attempted(null, t.Exception?.InnerException?.GetBaseException().Message ?? "timed out");
            using var response = t.Result;
            var status = (int)response.StatusCode;
            return status is >= 300 and < 400
                ? new Attempted(status, $"HTTP {status}: a redirect, which the push does not follow", Final: true)
                : new Attempted(status, null);
        }, TaskScheduler.Default).PipeTo(Self);
    }

    public static Props Props(JobRecord job, KcidbSettings kcidb, int maxAttempts, TimeSpan backoff, HttpClient? http = null) =>
        Akka.Actor.Props.Create(() => new KcidbSender(job, kcidb, maxAttempts, backoff, http));
}
