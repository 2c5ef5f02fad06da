using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>Checks a job's webhooks: absolute http(s) URLs, on an allowed host when the farm restricts them, and sane headers.</summary>
public static class WebhookRules
{
    public const int MaxWebhooks = 5, MaxHeaders = 20, MaxUrlLength = 2048, MaxHeaderValueLength = 4096;
    private static readonly string[] Events = ["completed", "failed", "cancelled"];
    /// <summary>Set by the farm or by HTTP itself: a job may not choose them.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent", "x-kernelfarm-event", "x-kernelfarm-delivery",
    };

    public static void Check(IReadOnlyList<Webhook>? hooks, IReadOnlyList<string> allowedHosts, List<ValidationError> errors)
    {
        if (hooks is null) { errors.Add(new("webhooks", "must be a list (omit it for none), not null")); return; }
        if (hooks.Count > MaxWebhooks) { errors.Add(new("webhooks", $"at most {MaxWebhooks} per job")); return; }
        for (var i = 0; i < hooks.Count; i++)
        {
            var field = $"webhooks[{i}]";
            if (hooks[i] is not { } hook) { errors.Add(new(field, "must be an object with a url")); continue; }
            if (string.IsNullOrEmpty(hook.Url) || hook.Url.Length > MaxUrlLength
                || !Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo))
                errors.Add(new(field + ".url", $"must be an absolute http or https URL without credentials, at most {MaxUrlLength} characters"));
            else if (allowedHosts.Count > 0 && !allowedHosts.Any(h => HostMatches(uri.Host, h)))
                errors.Add(new(field + ".url", $"host {uri.Host} is not one this farm calls (Farm__WebhookAllowedHosts)"));
            if (hook.Headers is null) errors.Add(new(field + ".headers", "must be an object (omit it for none), not null"));
            else if (hook.Headers.Count > MaxHeaders) errors.Add(new(field + ".headers", $"at most {MaxHeaders} headers"));
            else
                foreach (var (name, value) in hook.Headers)
                {
                    if (name.Length is 0 or > 100 || !name.All(IsTokenChar))
                        errors.Add(new(field + ".headers", $"'{Printable(name)}' is not a valid header name"));
                    else if (Reserved.Contains(name))
                        errors.Add(new(field + ".headers", $"{name} is set by the farm"));
                    else if (value is null || value.Length > MaxHeaderValueLength || value.Any(c => c < 0x20 && c != '\t' || c == 0x7f || c > 0x7e))
                        errors.Add(new(field + ".headers", $"the value of {name} must be printable ASCII, at most {MaxHeaderValueLength} characters"));
                }
            if (hook.Events is null) errors.Add(new(field + ".events", "must be a list (omit it for every end state), not null"));
            else if (hook.Events.FirstOrDefault(e => !Events.Contains(e)) is { } bad)
                errors.Add(new(field + ".events", $"'{Printable(bad ?? "null")}' is not one of {string.Join(", ", Events)}"));
        }
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
