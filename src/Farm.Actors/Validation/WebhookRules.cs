using System.Net;
using KernelFarm.Actors.Webhooks;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>
/// Checks a job's webhooks at submission: absolute http(s) URLs, on an allowed host when the farm restricts
/// them, not to a refused IP literal (<see cref="WebhookAddressPolicy"/>; host names are checked on the
/// address connected to at delivery), headers a job may set (<see cref="WebhookHeaderRules"/>), and
/// bounded sizes: a job's webhooks are kept in its journal and in memory for as long as the job exists.
/// </summary>
public static class WebhookRules
{
    public const int MaxWebhooks = 5, MaxHeaders = 20, MaxUrlLength = 2048, MaxHeaderValueLength = 4096, MaxHeaderBytes = 8192;
    public static readonly IReadOnlyList<string> Events = ["completed", "failed", "cancelled"];

    public static void Check(IReadOnlyList<Webhook>? hooks, JobValidationPolicy policy, List<ValidationError> errors)
    {
        if (hooks is null) { errors.Add(new("webhooks", "must be a list (omit it for none), not null")); return; }
        if (hooks.Count > MaxWebhooks) { errors.Add(new("webhooks", $"at most {MaxWebhooks} per job")); return; }
        for (var i = 0; i < hooks.Count; i++)
        {
            var field = $"webhooks[{i}]";
            if (hooks[i] is not { } hook) { errors.Add(new(field, "must be an object with a url")); continue; }
            CheckUrl(hook.Url, field + ".url", policy, errors);
            CheckHeaders(hook.Headers, field + ".headers", policy.WebhookAllowedHeaders, errors);
            CheckEvents(hook.Events, field + ".events", errors);
        }
    }

    private static void CheckUrl(string? url, string field, JobValidationPolicy policy, List<ValidationError> errors)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo))
            errors.Add(new(field, $"must be an absolute http or https URL without credentials, at most {MaxUrlLength} characters"));
        else if (policy.WebhookAllowedHosts.Count > 0 && !policy.WebhookAllowedHosts.Any(h => HostMatches(uri.Host, h)))
            errors.Add(new(field, $"host {uri.Host} is not one this farm calls (Farm__WebhookAllowedHosts)"));
        // Uri has already read the odd IPv4 spellings (2130706433, 0x7f.1, 127.1) as the address they mean.
        else if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && policy.WebhookAddresses.Refusal(address) is { } why)
            errors.Add(new(field, $"{why}, which webhooks may not call (Farm__Webhooks__AllowedNetworks)"));
    }

    private static void CheckHeaders(IReadOnlyDictionary<string, string>? headers, string field, IReadOnlySet<string> allowed, List<ValidationError> errors)
    {
        if (headers is null) { errors.Add(new(field, "must be an object (omit it for none), not null")); return; }
        if (headers.Count > MaxHeaders) { errors.Add(new(field, $"at most {MaxHeaders} headers")); return; }
        if (headers.Sum(h => (long)(h.Key?.Length ?? 0) + (h.Value?.Length ?? 0)) > MaxHeaderBytes)
        {
            errors.Add(new(field, $"names and values together at most {MaxHeaderBytes} characters"));
            return;
        }
        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > 100 || !name.All(IsTokenChar))
                errors.Add(new(field, $"'{Printable(name)}' is not a valid header name"));
            else if (WebhookHeaderRules.Refusal(name, allowed) is { } why)
                errors.Add(new($"{field}.{name}", why));
            else if (value is null || value.Length > MaxHeaderValueLength || value.Any(c => c < 0x20 && c != '\t' || c == 0x7f || c > 0x7e))
                errors.Add(new($"{field}.{name}", $"must be printable ASCII, at most {MaxHeaderValueLength} characters"));
        }
    }

    private static void CheckEvents(IReadOnlyList<string>? events, string field, List<ValidationError> errors)
    {
        if (events is null) errors.Add(new(field, "must be a list (omit it for every end state), not null"));
        else if (events.Count > Events.Count) errors.Add(new(field, $"at most {Events.Count} events: {string.Join(", ", Events)}"));
        else if (events.Any(e => e is null || !Events.Contains(e)))
            errors.Add(new(field, $"'{Printable(events.First(e => e is null || !Events.Contains(e)) ?? "null")}' is not one of {string.Join(", ", Events)}"));
        else if (events.Distinct().Count() != events.Count) errors.Add(new(field, "names an event twice"));
    }

    /// <summary>"example.com" allows exactly that host; ".example.com" any host below it.</summary>
    public static bool HostMatches(string host, string allowed) =>
        allowed.StartsWith('.')
            ? host.EndsWith(allowed, StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase);

    // RFC 9110 token characters
    private static bool IsTokenChar(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' || "!#$%&'*+-.^_`|~".Contains(c);

    private static string Printable(string s) => new(s.Take(40).Select(c => c is < ' ' or > '~' ? '?' : c).ToArray());
}
