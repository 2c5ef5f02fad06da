using System.Net.Http.Headers;
using System.Text;
using Akka.Actor;
using KernelFarm.Actors.Webhooks;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Delivers one webhook of an ended job: POSTs the payload, retries with doubling back-off on a
/// connection error or a non-2xx answer, and reports the outcome to its job (which records it so
/// the webhook is never called again after a delivery). At least once: receivers deduplicate on
/// the X-KernelFarm-Delivery header. A refused address and a redirect (3xx, never followed) end the
/// delivery as failed at once: trying again would get the same answer.
/// </summary>
public sealed class WebhookSender : ReceiveActor, IWithTimers
{
    public sealed record Outcome(WebhookDelivery Delivery);
    private sealed record Attempted(int? Status, string? Error, bool Final = false);
    private sealed record Retry;

    private readonly HttpClient _http;
    private readonly int _index;
    private readonly Webhook _hook;
    private readonly string _jobId, _event, _payload;
    private readonly int _maxAttempts;
    private readonly TimeSpan _backoff;
    private int _attempts;

    public ITimerScheduler Timers { get; set; } = null!;

    public WebhookSender(string jobId, int index, Webhook hook, string eventName, string payload, int maxAttempts, TimeSpan backoff, HttpClient http)
    {
        (_jobId, _index, _hook, _event, _payload, _maxAttempts, _backoff, _http) = (jobId, index, hook, eventName, payload, maxAttempts, backoff, http);
        Receive<Retry>(_ => Send());
        Receive<Attempted>(a =>
        {
            var delivered = a.Status is >= 200 and < 300;
            if (delivered || a.Final || _attempts >= _maxAttempts)
            {
                var error = delivered ? null : a.Error ?? $"HTTP {a.Status}";
                Context.Parent.Tell(new Outcome(new WebhookDelivery(_index, _hook.Url, delivered, _attempts, a.Status, error, DateTimeOffset.UtcNow)));
                Context.Stop(Self);
                return;
            }
            var wait = TimeSpan.FromTicks(_backoff.Ticks * (1L << Math.Min(_attempts - 1, 10)));
            Timers.StartSingleTimer("retry", new Retry(), wait);
        });
    }

    protected override void PreStart() => Send();

    private void Send()
    {
        _attempts++;
        var request = new HttpRequestMessage(HttpMethod.Post, _hook.Url)
        {
            Content = new StringContent(_payload, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in _hook.Headers) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("KernelFarm", "1"));
        request.Headers.Add("X-KernelFarm-Event", _event);
        request.Headers.Add("X-KernelFarm-Delivery", $"{_jobId}-{_index}");
        // Headers only: the receiver's body is never read, so its size cannot matter.
        _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ContinueWith(t =>
        {
            request.Dispose();
            if (t.IsCompletedSuccessfully)
            {
                using var response = t.Result;
                var status = (int)response.StatusCode;
                return status is >= 300 and < 400
                    ? new Attempted(status, $"HTTP {status}: a redirect, which webhooks do not follow", Final: true)
                    : new Attempted(status, null);
            }
            // AggregateException.GetBaseException stops at the HttpRequestException; a refusal is further in.
            Exception? error = t.Exception?.InnerException;
            for (var e = error; e is not null; e = e.InnerException)
                if (e is WebhookRefusedException) return new Attempted(null, e.Message, Final: true);
            return new Attempted(null, error?.GetBaseException().Message ?? "timed out");
        }, TaskScheduler.Default).PipeTo(Self);
    }

    public static Props Props(string jobId, int index, Webhook hook, string eventName, string payload, int maxAttempts, TimeSpan backoff,
        HttpClient http) =>
        Akka.Actor.Props.Create(() => new WebhookSender(jobId, index, hook, eventName, payload, maxAttempts, backoff, http));
}
